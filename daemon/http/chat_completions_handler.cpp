#include "daemon/http/chat_completions_handler.hpp"

#include "daemon/api/chat_request.hpp"
#include "daemon/api/chunk_builder.hpp"
#include "daemon/api/completion_builder.hpp"
#include "daemon/api/errors.hpp"
#include "daemon/http/body_reader.hpp"
#include "daemon/http/request_id.hpp"
#include "daemon/http/response_writer.hpp"
#include "daemon/http/sse_writer.hpp"
#include "daemon/http/upstream_errors.hpp"
#include "daemon/router/model_resolver.hpp"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <chrono>
#include <optional>

namespace helix::http {

namespace {

std::int64_t unix_seconds() {
    using namespace std::chrono;
    return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

// Where the events of one upstream call go: a whole JSON reply, or a stream.
class Output {
public:
    Output(const api::ChatRequest &chat, Poco::Net::HTTPServerResponse &response)
        : response_(response), sse_(response) {
        const std::string id = "chatcmpl-" + request_id_for("").substr(4);
        if (chat.stream())
            chunks_.emplace(id, unix_seconds(), std::string(chat.model()), chat.include_usage());
        else
            completion_.emplace(id, unix_seconds(), std::string(chat.model()));
    }

    // Returns false once the client is gone, so the plugin stops decoding.
    bool on_event(const helix_event &event) {
        if (completion_) {
            completion_->add(event);
            return true;
        }
        pending_.clear();
        chunks_->add(event, pending_);
        return write_pending();
    }

    bool stream_started() const { return sse_.started(); }
    bool client_gone() const { return sse_.failed(); }

    void complete() {
        if (completion_) {
            send_json(response_, 200, completion_->build());
            return;
        }
        pending_.clear();
        chunks_->finish(pending_);
        if (write_pending()) sse_.done();
    }

    // A failure: an error reply before the stream started, an error event after.
    void fail(const api::ApiError &error) {
        if (!sse_.started()) {
            send_error(response_, error);
            return;
        }
        sse_.data(api::error_body(error));
    }

private:
    bool write_pending() {
        for (const auto &json : pending_) {
            if (!sse_.started()) sse_.start();
            if (!sse_.data(json)) return false;
        }
        return !sse_.failed();
    }

    Poco::Net::HTTPServerResponse &response_;
    SseWriter sse_;
    std::optional<api::CompletionBuilder> completion_;
    std::optional<api::ChunkBuilder> chunks_;
    std::vector<std::string> pending_;
};

// Feeds the upstream response to the plugin and its events to the output.
class DecodingSink final : public transport::ResponseSink {
public:
    DecodingSink(plugins::UpstreamCall &call, Output &output) : call_(call), output_(output) {
        events_.struct_size = sizeof events_;
        events_.ctx = this;
        events_.emit = [](void *ctx, const helix_event *e) {
            auto *self = static_cast<DecodingSink *>(ctx);
            return self->output_.on_event(*e) ? 0 : 1;
        };
    }

    bool on_head(int status, const transport::Headers &headers) override {
        headers_ = headers;
        views_.clear();
        for (const auto &[name, value] : headers_)
            views_.push_back({{name.data(), name.size()}, {value.data(), value.size()}});
        status_ = status;
        return feed(nullptr, 0);
    }
    bool on_body(const char *data, std::size_t len) override { return feed(data, len); }

    const plugins::PluginFailure &failure() const { return failure_; }
    bool finish() {
        failure_ = call_.finish(events_);
        return !failure_;
    }

private:
    bool feed(const char *data, std::size_t len) {
        helix_http_response r{};
        r.struct_size = sizeof r;
        r.status = status_;
        r.headers = views_.data();
        r.header_count = views_.size();
        r.data = reinterpret_cast<const std::uint8_t *>(data);
        r.len = len;
        failure_ = call_.decode(r, events_);
        return !failure_ && !output_.client_gone();
    }

    plugins::UpstreamCall &call_;
    Output &output_;
    helix_event_sink events_{};
    transport::Headers headers_;
    std::vector<helix_header> views_;
    int status_ = 0;
    plugins::PluginFailure failure_;
};

api::ApiError plugin_error(const plugins::PluginFailure &failure, const plugins::ProviderInstance &provider) {
    return api::from_plugin_error(failure.status, &failure.error, provider.name());
}

} // namespace

void ChatCompletionsHandler::handleRequest(Poco::Net::HTTPServerRequest &request,
                                           Poco::Net::HTTPServerResponse &response) {
    const auto &server = runtime_->config->server;
    // A client that stops reading is dropped after write_timeout (and with it
    // the upstream call), instead of holding a thread and a connection.
    if (auto *impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl *>(&request))
        impl->socket().setSendTimeout(
            Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(server.write_timeout.count()) * 1000));
    auto body = read_body(request, server.max_body_bytes);
    if (auto *error = std::get_if<api::ApiError>(&body)) {
        response.setKeepAlive(false);
        return send_error(response, *error);
    }

    auto parsed = api::parse_chat_request(std::move(std::get<std::string>(body)));
    if (auto *error = std::get_if<api::ApiError>(&parsed)) return send_error(response, *error);
    api::ChatRequest &chat = std::get<api::ChatRequest>(parsed);

    const auto target = router::resolve_model(*runtime_, chat.model());
    if (!target) return send_error(response, api::model_not_found(chat.model()));
    const plugins::ProviderInstance &provider = *target->provider;
    chat.set_upstream_model(target->model->upstream_id);
    response.set("x-helix-provider", provider.name());
    response.set("x-helix-model", target->model->id);

    const auto required = chat.required_capabilities();
    if ((required & HELIX_MODEL_MULTIPLE_CHOICES) != 0 && (target->model->capabilities & HELIX_MODEL_MULTIPLE_CHOICES) == 0)
        return send_error(response, api::feature_not_supported(chat.model(), "n > 1", "n"));

    const config::ProviderConfig *provider_config = runtime_->config->find_provider(provider.name());
    transport::ExchangeLimits limits;
    if (provider_config != nullptr) {
        limits.connect_timeout = provider_config->connect_timeout;
        limits.read_timeout = provider_config->timeout;
    }

    // A provider whose credentials were refused (an expired cloud token) has
    // dropped them; one more prepare() fetches fresh ones. Only while nothing
    // has reached the client.
    for (int attempt = 1;; ++attempt) {
        response.set("x-helix-attempts", std::to_string(attempt));
        std::unique_ptr<plugins::UpstreamCall> call;
        if (const auto failure = provider.prepare(chat.view(), call))
            return send_error(response, plugin_error(failure, provider));

        Output output(chat, response);
        DecodingSink sink(*call, output);
        const transport::ExchangeResult result = upstream_.exchange(call->request(), limits, sink);
        if (output.client_gone()) return; // nobody to answer; the upstream call is already closed
        if (sink.failure()) {
            if (sink.failure().status == HELIX_ERR_AUTH && attempt == 1 && !output.stream_started()) continue;
            return output.fail(plugin_error(sink.failure(), provider));
        }
        if (result.error != transport::ExchangeError::none)
            return output.fail(from_exchange_failure(result, provider.name()));
        if (!sink.finish()) return output.fail(plugin_error(sink.failure(), provider));
        return output.complete();
    }
}

} // namespace helix::http
