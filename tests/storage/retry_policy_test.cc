#include "storage/retry_policy.h"

#include <gtest/gtest.h>

#include <vector>

namespace mailpulse {
namespace {

TEST(RetryPolicyTest, BackoffIsExponentialWithEqualJitterAndCapped) {
  RetryPolicy p{6, 100, 1000};
  EXPECT_EQ(p.BackoffMillis(0, 0.0), 50);
  EXPECT_EQ(p.BackoffMillis(0, 0.999), 99);
  EXPECT_EQ(p.BackoffMillis(1, 0.0), 100);
  EXPECT_EQ(p.BackoffMillis(2, 0.5), 300);
  EXPECT_EQ(p.BackoffMillis(3, 0.0), 400);
  EXPECT_EQ(p.BackoffMillis(4, 0.0), 500);  // capped at 1000
  EXPECT_EQ(p.BackoffMillis(60, 1.0), 1000);
}

TEST(RetryPolicyTest, RetriesOnlyRetryKind) {
  RetryPolicy p{4, 10, 100};
  std::vector<int64_t> sleeps;
  SleepFn sleep = [&](int64_t ms) { sleeps.push_back(ms); };
  int calls = 0;
  Status s = RunWithRetries(p, sleep, [&] {
    ++calls;
    return calls < 3 ? Status::Retry("503 SlowDown") : Status::Ok();
  });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(calls, 3);
  ASSERT_EQ(sleeps.size(), 2u);
  EXPECT_GE(sleeps[0], 5);
  EXPECT_LT(sleeps[0], 10);
  EXPECT_GE(sleeps[1], 10);
  EXPECT_LT(sleeps[1], 20);

  calls = 0;
  sleeps.clear();
  s = RunWithRetries(p, sleep, [&] {
    ++calls;
    return Status::Fail("403");
  });
  EXPECT_EQ(s.kind(), ErrorKind::kFail);
  EXPECT_EQ(s.message(), "403");
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(sleeps.empty());
}

TEST(RetryPolicyTest, GivesUpAfterMaxAttempts) {
  RetryPolicy p{3, 1, 1};
  int calls = 0;
  Status s = RunWithRetries(
      p, [](int64_t) {},
      [&] {
        ++calls;
        return Status::Retry("connection refused");
      });
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(s.kind(), ErrorKind::kRetry);
  EXPECT_EQ(s.message(), "connection refused (gave up after 3 attempts)");
}

TEST(RetryPolicyTest, ResultVersionKeepsValue) {
  RetryPolicy p{3, 1, 1};
  int calls = 0;
  Result<std::string> r = RunWithRetries<std::string>(
      p, [](int64_t) {},
      [&]() -> Result<std::string> {
        if (++calls == 1) return Status::Retry("timeout");
        return std::string("body");
      });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "body");
  Result<std::string> nf = RunWithRetries<std::string>(
      p, [](int64_t) {}, [&]() -> Result<std::string> { return Status::NotFound("NoSuchKey"); });
  EXPECT_EQ(nf.status().kind(), ErrorKind::kNotFound);
}

}  // namespace
}  // namespace mailpulse
