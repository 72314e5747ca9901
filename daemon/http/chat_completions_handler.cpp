#include "daemon/http/chat_completions_handler.hpp"

#include "daemon/api/chat_request.hpp"
#include "daemon/api/chunk_builder.hpp"
#include "daemon/api/completion_builder.hpp"
#include "daemon/api/errors.hpp"
#include "daemon/http/body_reader.hpp"
#include "daemon/metrics/error_kind.hpp"
#include "daemon/http/request_id.hpp"
#include "daemon/http/response_writer.hpp"
#include "daemon/http/sse_writer.hpp"
#include "daemon/http/upstream_errors.hpp"
#include "daemon/router/candidates.hpp"
#include "daemon/router/retry_policy.hpp"

#include <Poco/String.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <algorithm>
#include <map>
#include <optional>
#include <thread>

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
        if (content_log != nullptr && event.type == HELIX_EVENT_TEXT_DELTA)
            content_log->add_completion_text({event.text.data, event.text.len});
        if (!first_token_seen_ && (event.type == HELIX_EVENT_TEXT_DELTA || event.type == HELIX_EVENT_TOOL_CALL_DELTA)) {
            first_token_seen_ = true;
            if (on_first_token) on_first_token();
        }
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

    // Prices the reply (USD) from its usage; set per attempt.
    std::function<std::optional<double>(std::int64_t prompt, std::int64_t completion)> cost;
    // Told when the first content goes out, and of the usage at the end.
    std::function<void()> on_first_token;
    std::function<void(std::int64_t prompt, std::int64_t completion)> on_usage;
    // Receives the answer's text when the access log records content.
    audit::AccessRecord *content_log = nullptr;

    void complete() {
        if (completion_) {
            const auto &usage = completion_->usage();
            if (on_usage) on_usage(usage.prompt_tokens, usage.completion_tokens);
            if (cost)
                if (const auto usd = cost(usage.prompt_tokens, usage.completion_tokens)) {
                    char text[32];
                    std::snprintf(text, sizeof text, "%.6f", *usd);
                    response_.set("x-helix-cost-usd", text);
                }
            send_json(response_, 200, completion_->build());
            return;
        }
        pending_.clear();
        const auto &usage = chunks_->usage();
        if (on_usage) on_usage(usage.prompt_tokens, usage.completion_tokens);
        // Headers went out before the usage was known: a stream carries its
        // estimated cost in one chunk with no choices, as Azure carries its
        // filter results.
        if (cost)
            if (const auto usd = cost(usage.prompt_tokens, usage.completion_tokens)) {
                char text[32];
                std::snprintf(text, sizeof text, "%.6f", *usd);
                helix_event e{};
                e.struct_size = sizeof e;
                e.type = HELIX_EVENT_EXTRA;
                e.name = {"response.x_helix_cost_usd", 25};
                e.json = {text, std::strlen(text)};
                chunks_->add(e, pending_);
            }
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
    bool first_token_seen_ = false;
};

// Feeds the upstream response to the plugin and its events to the output.
class DecodingSink final : public transport::ResponseSink {
public:
    // max_collected: the most upstream bytes taken for a reply collected in
    // memory (0: none, a stream passes its bytes on).
    DecodingSink(plugins::UpstreamCall &call, Output &output, std::size_t max_collected)
        : call_(call), output_(output), max_collected_(max_collected) {
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
    bool on_body(const char *data, std::size_t len) override {
        received_ += len;
        if (max_collected_ > 0 && received_ > max_collected_) {
            too_large_ = true;
            return false; // the exchange stops reading
        }
        return feed(data, len);
    }

    const plugins::PluginFailure &failure() const { return failure_; }
    bool too_large() const { return too_large_; }
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
    const std::size_t max_collected_;
    std::size_t received_ = 0;
    bool too_large_ = false;
};

api::ApiError plugin_error(const plugins::PluginFailure &failure, const plugins::ProviderInstance &provider) {
    return api::from_plugin_error(failure.status, &failure.error, provider.name());
}

// 503 naming every attempt and why it failed.
api::ApiError all_failed(const std::vector<ChatCompletionsHandler::FailedAttempt> &failed) {
    std::string message = "All " + std::to_string(failed.size()) + " attempts failed:";
    for (const auto &f : failed)
        message += " " + f.target + " -> " + std::to_string(f.error.status) + " " + f.error.message + ";";
    message.pop_back();
    api::ApiError e = api::service_unavailable(message);
    std::uint32_t soonest = 0;
    for (const auto &f : failed)
        if (f.retry_after_ms > 0 && (soonest == 0 || f.retry_after_ms < soonest)) soonest = f.retry_after_ms;
    e.retry_after_ms = soonest;
    return e;
}

// 403: the key's scope excludes every provider/model that could serve the model.
api::ApiError model_not_allowed(const ClientIdentity &client, std::string_view model) {
    api::ApiError e;
    e.status = 403;
    e.type = "invalid_request_error";
    e.code = "model_not_allowed";
    e.param = "model";
    e.message = "The API key '" + client.name + "' may not use model '" + std::string(model) + "' (it is limited to " +
                client.describe_scope() + ").";
    return e;
}

} // namespace

void ChatCompletionsHandler::handleRequest(Poco::Net::HTTPServerRequest &request,
                                           Poco::Net::HTTPServerResponse &response) {
    metrics::RequestObservation observed(metrics_, &context_.record);
    // Whatever path ends the request, the status the client got is counted.
    struct StatusOnExit {
        metrics::RequestObservation &observed;
        Poco::Net::HTTPServerResponse &response;
        ~StatusOnExit() { observed.set_status(static_cast<int>(response.getStatus())); }
    } status_on_exit{observed, response};
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
    context_.record.model_asked = chat.model();
    context_.record.stream = chat.stream();
    if (runtime_->config->log.access_content) context_.record.request_body = chat.body();

    // "X-Helix-Priority: low" marks a request non-critical: the cheapest
    // good-enough provider serves it.
    const std::string priority = Poco::toLower(request.get("X-Helix-Priority", ""));
    auto candidates = router::candidates_for(*runtime_, chat.model(),
                                             priority == "low" ? router::Priority::low : router::Priority::critical);
    if (candidates.empty()) return send_error(response, api::model_not_found(chat.model()));
    if (const ClientIdentity *client = context_.client; client != nullptr && client->scoped()) {
        std::erase_if(candidates, [&](const router::Candidate &c) {
            return !client->allows(chat.model(), c.provider->name(), c.model->id);
        });
        if (candidates.empty()) return send_error(response, model_not_allowed(*client, chat.model()));
    }
    if ((chat.required_capabilities() & HELIX_MODEL_MULTIPLE_CHOICES) != 0) {
        std::erase_if(candidates, [](const router::Candidate &c) {
            return (c.model->capabilities & HELIX_MODEL_MULTIPLE_CHOICES) == 0;
        });
        if (candidates.empty()) return send_error(response, api::feature_not_supported(chat.model(), "n > 1", "n"));
    }

    const auto &policy = runtime_->config->router;
    const auto deadline = std::chrono::steady_clock::now() + policy.deadline;
    std::vector<FailedAttempt> failed;
    // When each provider said it may be asked again (its Retry-After).
    std::map<const plugins::ProviderInstance *, std::chrono::steady_clock::time_point> not_before;
    int calls = 0;
    std::vector<std::string> open_circuits;
    std::size_t skipped_in_a_row = 0;
    for (std::size_t next = 0; failed.size() < policy.max_attempts; ++next) {
        const router::Candidate &candidate = candidates[next % candidates.size()];
        const std::string key = candidate.provider->name() + "/" + candidate.model->id;
        if (!breakers_.allow(key, breaker_settings())) {
            if (std::find(open_circuits.begin(), open_circuits.end(), key) == open_circuits.end())
                open_circuits.push_back(key);
            if (++skipped_in_a_row >= candidates.size()) break; // every candidate's circuit is open
            continue;
        }
        skipped_in_a_row = 0;
        if (const auto it = not_before.find(candidate.provider); it != not_before.end()) {
            const auto wait = it->second - std::chrono::steady_clock::now();
            if (wait > policy.max_retry_wait || it->second > deadline) break; // not worth waiting for
            if (wait > std::chrono::steady_clock::duration::zero()) std::this_thread::sleep_for(wait);
        }
        if (std::chrono::steady_clock::now() >= deadline) break;

        if (!failed.empty()) observed.failover(failed.back().provider, candidate.provider->name());
        std::optional<FailedAttempt> failure = attempt(candidate, chat, response, calls, observed);
        if (!failure) return; // answered: a reply, a stream, or an error the client has seen
        if (failure->retry_after_ms > 0 || next + 1 >= candidates.size())
            not_before[candidate.provider] = std::chrono::steady_clock::now() +
                                             std::chrono::milliseconds(std::max<std::uint32_t>(failure->retry_after_ms, 200));
        const bool stop = failure->verdict == router::Verdict::stop;
        failed.push_back(std::move(*failure));
        if (stop) break;
    }
    if (failed.empty()) {
        std::string message = "No provider could be tried";
        if (!open_circuits.empty()) {
            message += ": circuit open (recent failures) for";
            for (const auto &k : open_circuits) message += " " + k;
        }
        return send_error(response, api::service_unavailable(message + "."));
    }
    const bool one_target = std::all_of(failed.begin(), failed.end(),
                                        [&](const FailedAttempt &f) { return f.target == failed.front().target; });
    // One provider's own error (e.g. its 429) says most; several need the list.
    if (one_target || failed.back().verdict == router::Verdict::stop) return send_error(response, failed.back().error);
    send_error(response, all_failed(failed));
}

router::CircuitBreakers::Settings ChatCompletionsHandler::breaker_settings() const {
    const auto &r = runtime_->config->router;
    return {r.circuit_failures, r.circuit_cooldown, r.circuit_failure_rate, r.circuit_window};
}

std::optional<ChatCompletionsHandler::FailedAttempt>
ChatCompletionsHandler::attempt(const router::Candidate &candidate, api::ChatRequest &chat,
                                Poco::Net::HTTPServerResponse &response, int &calls,
                                metrics::RequestObservation &observed) {
    const plugins::ProviderInstance &provider = *candidate.provider;
    const std::string &model_id = candidate.model->id;
    observed.set_target(provider.name(), model_id);
    chat.set_upstream_model(candidate.model->upstream_id);
    response.set("x-helix-provider", provider.name());
    response.set("x-helix-model", candidate.model->id);

    const config::ProviderConfig *provider_config = runtime_->config->find_provider(provider.name());
    transport::ExchangeLimits limits;
    limits.deadline = context_.record.started + runtime_->config->router.deadline; // the request's whole budget
    if (provider_config != nullptr) {
        limits.connect_timeout = provider_config->connect_timeout;
        limits.read_timeout = provider_config->timeout;
    }
    const std::string key = provider.name() + "/" + candidate.model->id;
    // Only failures worth a retry count against the circuit; a client error
    // says nothing about the provider's health.
    const auto failed = [&](const api::ApiError &error, router::Verdict verdict, bool health_failure = true) {
        if (verdict == router::Verdict::try_another && health_failure)
            breakers_.failed(key, breaker_settings());
        else
            breakers_.released(key);
        return FailedAttempt{key, provider.name(), error, verdict, error.retry_after_ms};
    };

    // A provider whose credentials were refused (an expired cloud token) has
    // dropped them; one more prepare() fetches fresh ones.
    for (int auth_retry = 0;; ++auth_retry) {
        response.set("x-helix-attempts", std::to_string(++calls));
        std::unique_ptr<plugins::UpstreamCall> call;
        if (const auto failure = provider.prepare(chat.view(), call)) // e.g. a feature this provider lacks
            return failed(plugin_error(failure, provider), router::after_plugin_failure(failure.status),
                          failure.status != HELIX_ERR_NOT_SUPPORTED && failure.status != HELIX_ERR_INVALID_REQUEST);

        Output output(chat, response);
        output.cost = [&](std::int64_t prompt, std::int64_t completion) {
            return router::estimated_cost(*runtime_->config, candidate, prompt, completion);
        };
        output.on_first_token = [&] { observed.first_token(); };
        output.on_usage = [&](std::int64_t prompt, std::int64_t completion) {
            observed.usage(provider.name(), model_id, prompt, completion,
                           router::estimated_cost(*runtime_->config, candidate, prompt, completion));
        };
        if (runtime_->config->log.access_content) output.content_log = &context_.record;
        DecodingSink sink(*call, output, chat.stream() ? 0 : runtime_->config->server.max_reply_bytes);
        const auto upstream_started = std::chrono::steady_clock::now();
        const transport::ExchangeResult result = upstream_.exchange(call->request(), limits, sink);
        const double upstream_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - upstream_started).count();
        if (output.client_gone()) { // nobody to answer; the upstream call is closed
            breakers_.released(key);
            observed.attempt(provider.name(), model_id, upstream_seconds, metrics::AttemptOutcome::abandoned);
            response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(499));
            return std::nullopt;
        }
        std::optional<api::ApiError> error;
        std::optional<metrics::ErrorKind> kind;
        router::Verdict verdict = router::Verdict::stop;
        if (sink.too_large()) {
            error = api::bad_gateway("The reply of " + provider.name() + " is larger than this gateway collects for a "
                                     "non-streamed request (server.max_reply, " +
                                     std::to_string(runtime_->config->server.max_reply_bytes) +
                                     " bytes); ask for a stream instead.");
            kind = metrics::error_kind(HELIX_ERR_PROTOCOL, error->status);
            observed.attempt(provider.name(), model_id, upstream_seconds, metrics::AttemptOutcome::failure, kind,
                             error->status);
            verdict = router::Verdict::stop; // another provider's reply to the same request is as large
        } else if (sink.failure()) {
            const bool refresh = sink.failure().status == HELIX_ERR_AUTH && auth_retry == 0 && !output.stream_started();
            error = plugin_error(sink.failure(), provider);
            kind = metrics::error_kind(sink.failure().status, error->status);
            observed.attempt(provider.name(), model_id, upstream_seconds, metrics::AttemptOutcome::failure, kind,
                             error->status);
            if (refresh) continue;
            verdict = router::after_plugin_failure(sink.failure().status);
        } else if (result.error != transport::ExchangeError::none) {
            error = from_exchange_failure(result, provider.name());
            kind = metrics::error_kind(result.error);
            observed.attempt(provider.name(), model_id, upstream_seconds, metrics::AttemptOutcome::failure, kind,
                             error->status);
            verdict = router::after_exchange_failure(result.error);
        } else if (!sink.finish()) {
            error = plugin_error(sink.failure(), provider);
            kind = metrics::error_kind(sink.failure().status, error->status);
            observed.attempt(provider.name(), model_id, upstream_seconds, metrics::AttemptOutcome::failure, kind,
                             error->status);
            verdict = router::after_plugin_failure(sink.failure().status);
        }
        if (!error) {
            breakers_.succeeded(key, breaker_settings());
            observed.attempt(provider.name(), model_id, upstream_seconds, metrics::AttemptOutcome::success);
            output.complete();
            return std::nullopt;
        }
        // Once the first byte has gone to the client a stream cannot start
        // over elsewhere: it ends with an error event instead.
        if (output.stream_started()) {
            failed(*error, verdict);
            output.fail(*error);
            return std::nullopt;
        }
        return failed(*error, verdict);
    }
}

} // namespace helix::http
