#include "tools/cloudsim/openai_api.hpp"

#include "tools/cloudsim/delivery.hpp"
#include "tools/cloudsim/exchange.hpp"
#include "tools/cloudsim/openai_completions.hpp"
#include "tools/cloudsim/openai_embeddings.hpp"
#include "tools/cloudsim/openai_wire.hpp"
#include "tools/cloudsim/wire_util.hpp"

#include <chrono>

namespace helix::cloudsim {

namespace {

constexpr std::size_t kMaxBody = 32 * 1024 * 1024;
constexpr std::string_view kJson = "application/json";

std::string mask_key(std::string_view key) {
    if (key.size() <= 8) return std::string(key.size(), '*');
    return std::string(key.substr(0, 3)) + std::string(key.size() - 7, '*') + std::string(key.substr(key.size() - 4));
}

class OpenAiApi final : public ProviderApi, private openai::ChatService {
public:
    explicit OpenAiApi(std::string key) : key_(std::move(key)) {}

    std::string_view name() const override { return "openai"; }

    void handle(Exchange &ex, ProviderContext &context) override {
        const auto started = std::chrono::steady_clock::now();
        set_common_headers(ex);
        const std::string_view path = ex.path();
        const std::string &method = ex.method();
        const bool chat = path == "/v1/chat/completions" && method == "POST";
        const bool completions = path == "/v1/completions" && method == "POST";
        const bool embeddings = path == "/v1/embeddings" && method == "POST";
        const bool models = path == "/v1/models" && method == "GET";
        const bool model = path.starts_with("/v1/models/") && path.size() > 11 && method == "GET";
        if (!chat && !completions && !embeddings && !models && !model) {
            openai::ApiError e;
            e.status = 404;
            e.message = "Invalid URL (" + method + " " + std::string(path) + ")";
            return send_error(ex, e);
        }
        if (!authorized(ex)) return;
        if (models) return ex.send(200, kJson, openai::models_body());
        if (embeddings) return openai::answer_embeddings(ex, context, *this, std::nullopt);
        if (model) {
            const std::string id(path.substr(11));
            if (auto body = openai::model_body(id)) return ex.send(200, kJson, *body);
            openai::ApiError e;
            e.status = 404;
            e.message = "The model '" + id + "' does not exist";
            e.param = "model";
            e.code = "model_not_found";
            return send_error(ex, e);
        }
        if (const auto request = openai::read_chat_request(ex, *this, true, completions)) {
            // Each model serves one of the two endpoints, as at OpenAI.
            if (openai::is_completions_model(request->prompt.model) != completions) {
                openai::ApiError e;
                e.status = 404;
                e.message = completions ? "This is a chat model and not supported in the v1/completions endpoint. "
                                          "Did you mean to use v1/chat/completions?"
                                        : "This is not a chat model and thus not supported in the "
                                          "v1/chat/completions endpoint. Did you mean to use v1/completions?";
                return send_error(ex, e);
            }
            const openai::ReplyMeta meta{random_id(completions ? "cmpl-" : "chatcmpl-", 29), unix_seconds(),
                                         request->prompt.model};
            openai::answer_chat(ex, context, *this, *request, meta, openai::openai_dialect(), started, std::nullopt,
                                completions);
        }
    }

private:
    static void set_common_headers(Exchange &ex) {
        ex.set_header("x-request-id", random_id("req_", 32));
        ex.set_header("openai-version", "2020-10-01");
        ex.set_header("openai-organization", "helix-sim");
        ex.set_header("x-ratelimit-limit-requests", "10000");
        ex.set_header("x-ratelimit-limit-tokens", "30000000");
        ex.set_header("x-ratelimit-remaining-requests", "9999");
        ex.set_header("x-ratelimit-remaining-tokens", "29999000");
        ex.set_header("x-ratelimit-reset-requests", "6ms");
        ex.set_header("x-ratelimit-reset-tokens", "0s");
    }

    void send_error(Exchange &ex, const openai::ApiError &e) const override {
        ex.send(e.status, kJson, openai::error_body(e));
    }

    bool authorized(Exchange &ex) const {
        const auto header = ex.header("Authorization");
        std::string_view presented;
        if (header && header->size() > 7 && (header->starts_with("Bearer ") || header->starts_with("bearer ")))
            presented = std::string_view(*header).substr(7);
        if (!presented.empty() && presented == key_) return true;
        openai::ApiError e;
        e.status = 401;
        e.code = "invalid_api_key";
        e.message = presented.empty()
                        ? "You didn't provide an API key. You need to provide your API key in an Authorization header "
                          "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
                        : "Incorrect API key provided: " + mask_key(presented) +
                              ". You can find your API key at https://platform.openai.com/account/api-keys.";
        send_error(ex, e);
        return false;
    }

    void send_fault_error(Exchange &ex, FaultKind fault, const openai::ChatRequest &request) const override {
        const std::string &model = request.prompt.model;
        openai::ApiError e;
        e.status = fault_status(fault);
        switch (fault) {
        case FaultKind::rate_limited:
            e.type = "requests";
            e.code = "rate_limit_exceeded";
            e.message = "Rate limit reached for " + model +
                        " in organization org-helixsim on requests per min (RPM): Limit 10000, Used 10000, "
                        "Requested 1. Please try again in 2s. (simulated)";
            ex.set_header("retry-after", "2");
            ex.set_header("x-ratelimit-remaining-requests", "0");
            ex.set_header("x-ratelimit-reset-requests", "2s");
            break;
        case FaultKind::server_error:
            e.type = "server_error";
            e.message = "The server had an error while processing your request. Sorry about that! (simulated)";
            break;
        default: // 503 and 529
            e.type = "server_error";
            e.message = "The engine is currently overloaded, please try again later. (simulated)";
            break;
        }
        send_error(ex, e);
    }

    std::string key_;
};

} // namespace

std::unique_ptr<ProviderApi> make_openai_api(const ProviderOptions &options) {
    return std::make_unique<OpenAiApi>(options.key);
}

namespace openai {

std::optional<ChatRequest> read_chat_request(Exchange &ex, const ChatService &service, bool require_model,
                                             bool completions) {
    std::string body;
    if (!ex.read_body(body, kMaxBody)) {
        ApiError e;
        e.status = 413;
        e.message = "Request body too large (limit 32 MiB).";
        service.send_error(ex, e);
        return std::nullopt;
    }
    ApiError error;
    auto request = completions ? parse_completions_request(body, error, require_model)
                               : parse_chat_request(body, error, require_model);
    if (!request) service.send_error(ex, error);
    return request;
}

void answer_chat(Exchange &ex, ProviderContext &context, const ChatService &service, const ChatRequest &request,
                 const ReplyMeta &meta, const Dialect &dialect, std::chrono::steady_clock::time_point started,
                 std::optional<FaultKind> fault, bool text_completion) {
    std::string problem;
    auto behaviour = context.behaviour(ex, problem);
    if (behaviour && !fault) fault = context.resolve_fault(ex, request.prompt.last_user_text, problem);
    if (!behaviour || !fault) {
        ApiError e;
        e.message = problem;
        return service.send_error(ex, e);
    }
    if (is_error_status_fault(*fault)) return service.send_fault_error(ex, *fault, request);
    apply_connection_fault(ex, *fault, *behaviour);

    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                               started + behaviour->ttfb);
    ex.set_header("openai-processing-ms", std::to_string(elapsed.count()));
    if (text_completion && request.legacy) {
        const TextChoices choices = text_choices(request, behaviour->reply_tokens, dialect);
        if (request.stream) {
            TextCompletionStream chunks(choices, meta, request.include_usage, dialect);
            deliver_stream(ex, context.stats(), *behaviour, *fault, chunks, "text/event-stream; charset=utf-8",
                           malformed_chunk(meta));
        } else {
            deliver_body(ex, *behaviour, *fault, choices.completion_tokens, kJson,
                         text_completion_body(choices, meta, dialect));
        }
        return;
    }
    Reply reply = generate_reply(request.prompt, behaviour->reply_tokens);
    dialect.adjust(reply);
    if (request.stream) {
        ChunkStream chunks(reply, meta, request.include_usage, dialect);
        deliver_stream(ex, context.stats(), *behaviour, *fault, chunks, "text/event-stream; charset=utf-8",
                       malformed_chunk(meta));
    } else {
        deliver_body(ex, *behaviour, *fault, reply.completion_tokens, kJson, completion_body(reply, meta, dialect));
    }
}

} // namespace openai

} // namespace helix::cloudsim
