#include "tools/cloudsim/anthropic_api.hpp"

#include "tools/cloudsim/anthropic_wire.hpp"
#include "tools/cloudsim/delivery.hpp"
#include "tools/cloudsim/exchange.hpp"
#include "tools/cloudsim/wire_util.hpp"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timespan.h>

namespace helix::cloudsim {

namespace {

constexpr std::size_t kMaxBody = 32 * 1024 * 1024;
constexpr std::string_view kJson = "application/json";

std::string rfc3339_in(int seconds) {
    Poco::DateTime t;
    t += Poco::Timespan(seconds, 0);
    return Poco::DateTimeFormatter::format(t, "%Y-%m-%dT%H:%M:%SZ");
}

class AnthropicApi final : public ProviderApi {
public:
    explicit AnthropicApi(std::string key) : key_(std::move(key)) {}

    std::string_view name() const override { return "anthropic"; }

    void handle(Exchange &ex, ProviderContext &context) override {
        const std::string request_id = random_id("req_011C", 20);
        ex.set_header("request-id", request_id);
        ex.set_header("anthropic-organization-id", "00000000-0000-4000-8000-000000000001");
        set_rate_limit_headers(ex, 4000, 3999, 0);

        const std::string_view path = ex.path();
        const std::string &method = ex.method();
        const bool messages = path == "/v1/messages" && method == "POST";
        const bool count_tokens = path == "/v1/messages/count_tokens" && method == "POST";
        const bool models = path == "/v1/models" && method == "GET";
        const bool model = path.starts_with("/v1/models/") && path.size() > 11 && method == "GET";
        if (!messages && !count_tokens && !models && !model) return send_error(ex, request_id, {404, "not_found_error", "Not found"});

        // The API key comes as `x-api-key` (API version 2023-06-01 clients, the
        // gateway) or as `Authorization: Bearer` (@anthropic-ai/sdk >= 1.0, API
        // version 2026-10-21).
        if (const auto key = ex.header("x-api-key"); key && !key->empty()) {
            if (*key != key_) return send_error(ex, request_id, {401, "authentication_error", "invalid x-api-key"});
        } else if (const auto auth = ex.header("Authorization"); auth && auth->size() > 7) {
            const bool bearer = auth->starts_with("Bearer ") || auth->starts_with("bearer ");
            if (!bearer || std::string_view(*auth).substr(7) != key_)
                return send_error(ex, request_id, {401, "authentication_error", "Invalid bearer token"});
        } else {
            return send_error(ex, request_id, {401, "authentication_error", "x-api-key header is required"});
        }
        if (!ex.header("anthropic-version"))
            return send_error(ex, request_id, {400, "invalid_request_error", "anthropic-version: header is required"});

        if (models) return ex.send(200, kJson, anthropic::models_body());
        if (model) {
            const std::string id(path.substr(11));
            if (auto body = anthropic::model_body(id)) return ex.send(200, kJson, *body);
            return send_error(ex, request_id, {404, "not_found_error", "model: " + id});
        }
        if (count_tokens) return count_message_tokens(ex, request_id);
        create_message(ex, context, request_id);
    }

private:
    static void set_rate_limit_headers(Exchange &ex, int limit, int remaining, int reset_in) {
        const std::string reset = rfc3339_in(reset_in);
        ex.set_header("anthropic-ratelimit-requests-limit", std::to_string(limit));
        ex.set_header("anthropic-ratelimit-requests-remaining", std::to_string(remaining));
        ex.set_header("anthropic-ratelimit-requests-reset", reset);
        ex.set_header("anthropic-ratelimit-tokens-limit", "400000");
        ex.set_header("anthropic-ratelimit-tokens-remaining", remaining > 0 ? "399000" : "0");
        ex.set_header("anthropic-ratelimit-tokens-reset", reset);
    }

    static void send_error(Exchange &ex, const std::string &request_id, const anthropic::ApiError &e) {
        ex.send(e.status, kJson, anthropic::error_body(e, request_id));
    }

    static void send_fault_error(Exchange &ex, const std::string &request_id, FaultKind fault) {
        anthropic::ApiError e;
        e.status = fault_status(fault);
        switch (fault) {
        case FaultKind::rate_limited:
            e.type = "rate_limit_error";
            e.message = "This request would exceed your organization's rate limit. Please try again in 2 seconds. "
                        "(simulated)";
            ex.set_header("retry-after", "2");
            set_rate_limit_headers(ex, 4000, 0, 2);
            break;
        case FaultKind::server_error:
            e.type = "api_error";
            e.message = "Internal server error (simulated)";
            break;
        case FaultKind::unavailable:
            e.type = "api_error";
            e.message = "Service unavailable (simulated)";
            break;
        default:
            e.type = "overloaded_error";
            e.message = "Overloaded (simulated)";
            break;
        }
        send_error(ex, request_id, e);
    }

    // POST /v1/messages/count_tokens: {"input_tokens": N}, by the simulator's token rule.
    static void count_message_tokens(Exchange &ex, const std::string &request_id) {
        std::string body;
        if (!ex.read_body(body, kMaxBody))
            return send_error(ex, request_id, {413, "request_too_large", "Request exceeds the maximum allowed size"});
        anthropic::ApiError error;
        const auto request = anthropic::parse_messages_request(body, error, true);
        if (!request) return send_error(ex, request_id, error);
        ex.send(200, kJson, "{\"input_tokens\":" + std::to_string(request->prompt.prompt_tokens) + "}");
    }

    static void create_message(Exchange &ex, ProviderContext &context, const std::string &request_id) {
        std::string body;
        if (!ex.read_body(body, kMaxBody))
            return send_error(ex, request_id, {413, "request_too_large", "Request exceeds the maximum allowed size"});
        anthropic::ApiError error;
        auto request = anthropic::parse_messages_request(body, error);
        if (!request) return send_error(ex, request_id, error);
        context.stats().record_media(request->prompt.media);

        std::string problem;
        auto behaviour = context.behaviour(ex, problem);
        const auto fault = behaviour ? context.resolve_fault(ex, request->prompt.last_user_text, problem) : std::nullopt;
        if (!behaviour || !fault) return send_error(ex, request_id, {400, "invalid_request_error", problem});
        if (is_error_status_fault(*fault)) return send_fault_error(ex, request_id, *fault);
        apply_connection_fault(ex, *fault, *behaviour);

        const Reply reply = generate_reply(request->prompt, behaviour->reply_tokens);
        anthropic::ReplyMeta meta{random_id("msg_01", 22), request->prompt.model};
        if (request->stream) {
            anthropic::EventStream events(reply, meta);
            deliver_stream(ex, context.stats(), *behaviour, *fault, events, "text/event-stream; charset=utf-8",
                           anthropic::malformed_event());
        } else {
            deliver_body(ex, *behaviour, *fault, reply.completion_tokens, kJson, anthropic::message_body(reply, meta));
        }
    }

    std::string key_;
};

} // namespace

std::unique_ptr<ProviderApi> make_anthropic_api(const ProviderOptions &options) {
    return std::make_unique<AnthropicApi>(options.key);
}

} // namespace helix::cloudsim
