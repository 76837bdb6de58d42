#include "analytics/kpi_json.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <utility>
#include <vector>

#include "analytics/kpi_api.h"
#include "kpi_test_util.h"

namespace mailpulse {
namespace {

using testing::kMin;
using testing::kT0;
using testing::Record;

TEST(ParseTimeParamTest, EpochSecondsAndIso8601) {
  EXPECT_EQ(*ParseTimeParam("1767225600"), kT0);
  EXPECT_EQ(*ParseTimeParam("2026-01-01"), kT0);
  EXPECT_EQ(*ParseTimeParam("2026-01-01T00:01Z"), kT0 + kMin);
  EXPECT_EQ(*ParseTimeParam("2026-01-01T00:00:30Z"), kT0 + 30000);
  EXPECT_EQ(*ParseTimeParam("2026-01-01T00:00:00.250Z"), kT0 + 250);
  EXPECT_EQ(*ParseTimeParam("2026-01-01T01:00:00+01:00"), kT0);
  EXPECT_EQ(*ParseTimeParam("2025-12-31T23:00:00-01:00"), kT0);
  EXPECT_EQ(*ParseTimeParam("2024-02-29T00:00:00"), 1709164800000);
  for (const char* bad : {"", "yesterday", "2026-13-01", "2026-02-30", "2026-01-01T25:00",
                          "2026-01-01Tx", "2026-01-01T00:00:00+0100", "-5"}) {
    EXPECT_EQ(ParseTimeParam(bad).status().kind(), ErrorKind::kInvalid) << bad;
  }
  EXPECT_EQ(FormatIsoTime(kT0 + 61'500), "2026-01-01T00:01:01Z");
}

TEST(QueryParamTest, DecodesAndFinds) {
  EXPECT_EQ(*QueryParam("a=1&since=2026-01-01T00%3A00Z&b", "since"), "2026-01-01T00:00Z");
  EXPECT_EQ(*QueryParam("a=1&b", "b"), "");
  EXPECT_FALSE(QueryParam("a=1", "since").has_value());
  EXPECT_EQ(PercentDecode("a%2Fb+c%zz"), "a/b c%zz");
}

class KpiJsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    KpiEventDecoder d;
    const std::string ss = R"(,"singlesend_id":"ss\"1","singlesend_name":"Spring \u00e9")";
    for (const std::string& r :
         {Record("processed", "m1", kT0, ss), Record("delivered", "m1", kT0 + 1, ss),
          Record("open", "m1", kT0 + kMin, ss),
          Record("dropped", "m2", kT0, ss + R"(,"reason":"Invalid")"),
          Record("click", "m1", kT0 + 2 * kMin, ss + R"(,"url":"https://a")"),
          Record("click", "m1", kT0 + 2 * kMin, ss + R"(,"url":"https://b")"),
          Record("click", "m1", kT0 + 3 * kMin, ss + R"(,"url":"https://b")")}) {
      testing::ApplyRecord(store_, d, r);
    }
  }
  KpiStore store_;
};

TEST_F(KpiJsonTest, CampaignListIsValidJsonWithEveryCounterAndRate) {
  std::string json = CampaignListJson(store_, KpiRange{});
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_EQ(p.parse(json).get(doc), simdjson::SUCCESS) << json;
  simdjson::dom::element c = doc["campaigns"].at(0);
  EXPECT_EQ(std::string_view(c["id"].get_string().value()), "ss\"1");
  EXPECT_EQ(std::string_view(c["name"].get_string().value()), "Spring \xc3\xa9");
  for (size_t i = 0; i < kKpiCount; ++i) {
    EXPECT_EQ(c[KpiName(static_cast<Kpi>(i))].error(), simdjson::SUCCESS)
        << KpiName(static_cast<Kpi>(i));
  }
  EXPECT_EQ(int64_t(c["processed"]), 1);
  EXPECT_EQ(int64_t(c["unique_clicks"]), 1);
  EXPECT_EQ(int64_t(c["dropped_by_reason"]["Invalid"]), 1);
  EXPECT_DOUBLE_EQ(double(c["rates"]["open_rate"]), 1.0);
  EXPECT_DOUBLE_EQ(double(c["rates"]["delivery_rate"]), 1.0);
  for (const char* rate : {"delivery_rate", "open_rate", "human_open_rate", "click_rate",
                           "click_to_open_rate", "bounce_rate", "unsubscribe_rate", "spam_rate"}) {
    EXPECT_EQ(c["rates"][rate].error(), simdjson::SUCCESS) << rate;
  }
}

TEST_F(KpiJsonTest, FilteredListAndSeriesAndLinks) {
  simdjson::dom::parser p;
  std::string json = CampaignListJson(store_, KpiRange{kT0 + kMin, 0});
  simdjson::dom::element c = p.parse(json)["campaigns"].at(0);
  EXPECT_EQ(int64_t(c["processed"]), 0);
  EXPECT_EQ(int64_t(c["opens"]), 1);
  EXPECT_EQ(c["dropped_by_reason"].error(), simdjson::NO_SUCH_FIELD);

  std::string detail = CampaignDetailJson(*store_.Find("ss\"1"), Granularity::kMinute, KpiRange{});
  simdjson::dom::element d = p.parse(detail);
  EXPECT_EQ(std::string_view(d["granularity"]), "minute");
  simdjson::dom::array series = d["series"];
  ASSERT_EQ(series.size(), 4u);
  EXPECT_EQ(std::string_view(series.at(1)["start"]), "2026-01-01T00:01:00Z");
  EXPECT_EQ(int64_t(series.at(1)["start_ms"]), kT0 + kMin);
  EXPECT_EQ(int64_t(series.at(2)["clicks"]), 2);

  std::string links = CampaignLinksJson(*store_.Find("ss\"1"), 10);
  EXPECT_EQ(links, R"({"id":"ss\"1","links":[{"url":"https://b","clicks":2,"unique_clicks":1},)"
                   R"({"url":"https://a","clicks":1,"unique_clicks":1}]})");
  EXPECT_EQ(CampaignLinksJson(*store_.Find("ss\"1"), 1),
            R"({"id":"ss\"1","links":[{"url":"https://b","clicks":2,"unique_clicks":1}]})");
}

// Ids of a list page, and its "next" cursor ("" when absent).
std::pair<std::vector<std::string>, std::string> PageIds(const KpiStore& store,
                                                         const CampaignPage& page) {
  simdjson::dom::parser p;
  simdjson::dom::element doc = p.parse(CampaignListJson(store, KpiRange{}, page));
  std::vector<std::string> ids;
  for (simdjson::dom::element c : doc["campaigns"].get_array()) {
    ids.emplace_back(std::string_view(c["id"]));
  }
  std::string_view next;
  if (doc["next"].get(next) != simdjson::SUCCESS) next = "";
  return {ids, std::string(next)};
}

TEST(CampaignPageTest, AfterOffsetLimitAndNext) {
  KpiStore store;
  KpiEventDecoder d;
  for (const char* id : {"c", "a", "e", "b", "d"}) {
    testing::ApplyRecord(store, d,
                         Record("processed", std::string("m") + id, kT0,
                                std::string(R"(,"singlesend_id":")") + id + "\""));
  }
  using Ids = std::vector<std::string>;
  CampaignPage page;
  page.limit = 2;
  EXPECT_EQ(PageIds(store, page), std::make_pair(Ids{"a", "b"}, std::string("b")));
  page.after = "b";
  EXPECT_EQ(PageIds(store, page), std::make_pair(Ids{"c", "d"}, std::string("d")));
  page.after = "d";
  EXPECT_EQ(PageIds(store, page), std::make_pair(Ids{"e"}, std::string()));
  page.after = "bb";  // a cursor need not be an existing id
  EXPECT_EQ(PageIds(store, page), std::make_pair(Ids{"c", "d"}, std::string("d")));
  page.after = "e";
  EXPECT_EQ(PageIds(store, page), std::make_pair(Ids{}, std::string()));
  page.after.reset();
  page.offset = 3;
  EXPECT_EQ(PageIds(store, page), std::make_pair(Ids{"d", "e"}, std::string()));
  page.offset = 2;
  EXPECT_EQ(PageIds(store, page), std::make_pair(Ids{"c", "d"}, std::string("d")));
  page.offset = 9;
  EXPECT_EQ(PageIds(store, page), std::make_pair(Ids{}, std::string()));
  page.offset = 0;
  page.limit = 5;  // exactly everything: no next
  EXPECT_EQ(PageIds(store, page), std::make_pair(Ids{"a", "b", "c", "d", "e"}, std::string()));
  page.limit = 0;  // unlimited (report)
  EXPECT_EQ(PageIds(store, page).first.size(), 5u);
}

TEST(CampaignPageTest, ApiRefusesBadPagingParameters) {
  KpiApi api(nullptr, KpiApiOptions{});  // parameters are checked before the store is read
  for (const char* q : {"limit=0", "limit=1001", "limit=x", "limit=", "offset=-1", "offset=1x"}) {
    HttpRequest r;
    r.method = "GET";
    r.path = "/v1/campaigns";
    r.query = q;
    HttpResponse res = api.Handle(r);
    EXPECT_EQ(res.status, 400) << q;
  }
}

TEST(OpenApiTest, IsValidJsonNamingEveryPath) {
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_EQ(p.parse(KpiApi::OpenApiJson()).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(std::string_view(doc["openapi"]), "3.0.3");
  for (const char* path : {"/v1/campaigns", "/v1/campaigns/{id}", "/v1/campaigns/{id}/links",
                           "/v1/live", "/v1/openapi.json"}) {
    EXPECT_EQ(doc["paths"][path].error(), simdjson::SUCCESS) << path;
  }
  EXPECT_EQ(doc["components"]["schemas"]["Campaign"]["properties"]["human_unique_opens"].error(),
            simdjson::SUCCESS);
  std::vector<std::string> params;
  for (simdjson::dom::element prm :
       doc["paths"]["/v1/campaigns"]["get"]["parameters"].get_array()) {
    params.emplace_back(std::string_view(prm["name"]));
  }
  EXPECT_EQ(params, (std::vector<std::string>{"since", "until", "limit", "after", "offset"}));
}

}  // namespace
}  // namespace mailpulse
