#include "app/lambda_app.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <optional>

#include "app/webhook_setup.h"
#include "common/clock.h"
#include "common/dir_lock.h"
#include "common/metrics.h"
#include "http/router.h"
#include "stream/stream_registry.h"

namespace mailpulse {

struct LambdaStreams {
  std::unique_ptr<Stream> events;
  std::unique_ptr<Stream> errors;
};

struct LambdaApp::Parts {
  std::optional<DirLock> lock;
  MetricsRegistry metrics;
  LambdaStreams streams;
  std::unique_ptr<WebhookStage> webhook;
  Router router;
  std::unique_ptr<InvocationHandler> handler;
};

namespace {

// The one place `lambda` opens its streams: MAILPULSE_STREAM, normally
// kinesis://... A remote stream needs nothing on local disk, so no data dir is
// created or locked (Lambda's file system is read-only but for /tmp). The
// embedded log under MAILPULSE_DATA_DIR also works, for tests, but in Lambda
// events there would not outlive the execution environment.
Result<LambdaStreams> OpenLambdaStreams(const Config& c, MetricsRegistry* metrics,
                                        std::optional<DirLock>* lock) {
  if (IsEmbeddedStream(c.GetString("stream"))) {
    std::filesystem::path data_dir = c.GetString("data_dir");
    std::error_code ec;
    std::filesystem::create_directories(data_dir, ec);
    if (ec)
      return Status::Fail("cannot create data dir " + data_dir.string() + ": " + ec.message());
    MP_ASSIGN_OR_RETURN(DirLock held, DirLock::Acquire(data_dir.string()));
    lock->emplace(std::move(held));
  }
  LambdaStreams out;
  StreamOpenOptions so = StreamOptionsFromConfig(c, "events");
  so.metrics = metrics;
  MP_ASSIGN_OR_RETURN(out.events, OpenStream(c.GetString("stream"), so));
  so.role = "errors";
  MP_ASSIGN_OR_RETURN(out.errors, OpenStream(c.GetString("stream"), so));
  return out;
}

}  // namespace

LambdaApp::LambdaApp(const Config& config) : config_(config), parts_(std::make_unique<Parts>()) {}
LambdaApp::~LambdaApp() { Stop(); }

Status LambdaApp::Start() {
  const Config& c = config_;
  Parts& p = *parts_;
  MP_ASSIGN_OR_RETURN(WebhookSettings settings, WebhookSettingsFromConfig(c));
  InvocationHandlerOptions io;
  io.deadline_margin_ms = c.GetInt("lambda_deadline_margin") * 1000;
  io.retry_after_seconds = settings.handler.retry_after_seconds;
  io.max_body_bytes = static_cast<uint64_t>(c.GetInt("max_body"));
  MP_ASSIGN_OR_RETURN(p.streams, OpenLambdaStreams(c, &p.metrics, &p.lock));
  MP_ASSIGN_OR_RETURN(p.webhook, WebhookStage::Create(std::move(settings), p.streams.events.get(),
                                                      p.streams.errors.get(), &p.metrics,
                                                      IsEmbeddedStream(c.GetString("stream"))));
  p.webhook->Register(p.router);
  p.handler = std::make_unique<InvocationHandler>(io, &p.router, &Clock::System());
  spdlog::info("mailpulse lambda ready: POST /v1/webhooks/sendgrid[/{{name}}] via API Gateway");
  return Status::Ok();
}

InvocationResult LambdaApp::Invoke(const Invocation& invocation) {
  return parts_->handler->Invoke(invocation.event, invocation.deadline_ms);
}

void LambdaApp::Stop() {
  Parts& p = *parts_;
  if (p.streams.events) p.streams.events->Close();
  if (p.streams.errors) p.streams.errors->Close();
  p.lock.reset();
}

}  // namespace mailpulse
