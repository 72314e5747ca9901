#include "tools/cloudsim/vertex_api.hpp"

#include "tools/cloudsim/delivery.hpp"
#include "tools/cloudsim/exchange.hpp"
#include "tools/cloudsim/anthropic_wire.hpp"
#include "tools/cloudsim/openai_api.hpp"
#include "tools/cloudsim/vertex_auth.hpp"
#include "tools/cloudsim/vertex_claude.hpp"
#include "tools/cloudsim/vertex_federation.hpp"
#include "tools/cloudsim/vertex_embeddings.hpp"
#include "tools/cloudsim/vertex_openai.hpp"
#include "tools/cloudsim/vertex_wire.hpp"
#include "tools/cloudsim/wire_util.hpp"

#include <boost/json/serialize.hpp>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace helix::cloudsim {

namespace {

namespace json = boost::json;
using vertex::ApiError;

constexpr std::size_t kMaxBody = 32 * 1024 * 1024;
constexpr std::size_t kMaxSmallBody = 64 * 1024;
constexpr std::string_view kJson = "application/json; charset=UTF-8";
constexpr std::string_view kSimProject = "helix-sim-project";
constexpr std::string_view kSimAccount = "helix-sim@helix-sim-project.iam.gserviceaccount.com";
constexpr std::string_view kMetadataPrefix = "/computeMetadata/v1/";
constexpr std::string_view kAccountsPrefix = "/computeMetadata/v1/instance/service-accounts/";
constexpr std::string_view kIamPrefix = "/v1/projects/-/serviceAccounts/";
constexpr std::string_view kGenerateAccessToken = ":generateAccessToken";
constexpr std::string_view kAuthHelp =
    " Expected OAuth 2 access token, login cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project.";

// Fault directives only Vertex understands (per request: x-sim-fault header
// or [[fault:...]] in the last user message).
enum class VertexFault { none, safety, prompt_blocked, permission_denied };

VertexFault vertex_fault(std::string_view kind) {
    if (kind == "safety") return VertexFault::safety;
    if (kind == "prompt-blocked") return VertexFault::prompt_blocked;
    if (kind == "permission-denied") return VertexFault::permission_denied;
    return VertexFault::none;
}

std::string rfc3339_now() {
    const auto now = std::chrono::system_clock::now();
    const std::time_t secs = std::chrono::system_clock::to_time_t(now);
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1'000'000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(buf + n, sizeof buf - n, ".%06lldZ", static_cast<long long>(micros));
    return buf;
}

json::object error_info(std::string_view reason, std::string_view domain, json::object metadata) {
    return json::object{{"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
                        {"reason", reason},
                        {"domain", domain},
                        {"metadata", std::move(metadata)}};
}

std::string rpc_method(std::string_view version, std::string_view method) {
    std::string m(method);
    if (!m.empty()) m[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(m[0])));
    return "google.cloud.aiplatform." + std::string(version) + ".PredictionService." + m;
}

std::string not_found_html(std::string_view path) {
    return "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error 404 (Not Found)!!1</title>\n"
           "  <p><b>404.</b> <ins>That\xe2\x80\x99s an error.</ins>\n  <p>The requested URL <code>" +
           std::string(path) + "</code> was not found on this server.  <ins>That\xe2\x80\x99s all we know.</ins>\n";
}

// Frames rendered in advance (a blocked prompt in a stream).
class FixedFrames final : public FrameSource {
public:
    explicit FixedFrames(std::vector<std::string> frames) : frames_(std::move(frames)) {}
    bool next(Frame &frame) override {
        if (index_ >= frames_.size()) return false;
        frame.bytes = frames_[index_++];
        frame.token = false;
        return true;
    }
    std::size_t token_frames() const override { return 0; }

private:
    std::vector<std::string> frames_;
    std::size_t index_ = 0;
};

std::string setting(const ProviderOptions &options, std::string_view name, std::string_view fallback) {
    const auto it = options.settings.find(name);
    return it == options.settings.end() ? std::string(fallback) : it->second;
}

std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("--vertex-sa-public-key: cannot read " + path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

class VertexApi final : public ProviderApi {
public:
    explicit VertexApi(const ProviderOptions &options)
        : key_(options.key), tokens_(std::stoll(setting(options, "token-ttl-s", "3600"))),
          federation_{setting(options, "oauth-client-id", "sim-oauth-client.apps.googleusercontent.com"),
                      setting(options, "oauth-client-secret", "sim-oauth-client-secret"),
                      setting(options, "refresh-token", "1//sim-refresh-token"), setting(options, "subject-token", ""),
                      ".iam.gserviceaccount.com"} {
        std::string error;
        const auto key = gcp::RsaKey::generate(2048, error);
        if (!key) throw std::runtime_error("vertex: " + error);
        account_.project_id = std::string(kSimProject);
        account_.private_key_id = random_id("", 40);
        account_.private_key = key->private_pem();
        account_.client_email = std::string(kSimAccount);
        account_.client_id = "100000000000000000042";
        accounts_.add(account_.client_email, account_.private_key_id, *key);
        if (const std::string file = setting(options, "sa-public-key", ""); !file.empty()) {
            if (!accounts_.add_from_text(read_file(file), error))
                throw std::runtime_error("--vertex-sa-public-key " + file + ": " + error);
        }
    }

    std::string_view name() const override { return "vertex"; }

    void handle(Exchange &ex, ProviderContext &context) override {
        const std::string_view path = ex.path();
        if (path == "/token") return token_endpoint(ex);
        if (path == "/v1/token") return federation(ex, [&](std::string_view body) {
            return vertex::sts_token_exchange(body, federation_, tokens_, unix_seconds());
        });
        if (path.starts_with(kIamPrefix) && path.ends_with(kGenerateAccessToken)) {
            const std::string email(path.substr(kIamPrefix.size(),
                                                path.size() - kIamPrefix.size() - kGenerateAccessToken.size()));
            const std::string authorization = ex.header("Authorization").value_or("");
            return federation(ex, [&](std::string_view body) {
                return vertex::generate_access_token(authorization, email, body, federation_, tokens_, unix_seconds());
            });
        }
        if (path.starts_with(kMetadataPrefix)) return metadata_server(ex);
        if (path.starts_with("/__vertex/")) return control(ex);
        if (const auto openapi = vertex::parse_openapi_path(path); openapi && ex.method() == "POST")
            return chat_completions(ex, context, *openapi);

        const auto model_path = vertex::parse_model_path(path);
        if (!model_path || ex.method() != "POST") return ex.send(404, "text/html; charset=UTF-8", not_found_html(path));
        ex.set_header("Vary", "Origin, X-Origin, Referer");
        const bool stream = model_path->method == "streamGenerateContent";
        const bool sse = stream && vertex::query_param(ex.query(), "alt").value_or("") == "sse";
        const bool array = stream && !sse;
        if (!authorized(ex, *model_path, array)) return;

        const auto family = vertex::model_family(model_path->model);
        const std::string resource = vertex::resource_name(*model_path);
        const std::string &method = model_path->method;
        if (model_path->publisher == "anthropic") {
            if (!vertex::is_claude_model(model_path->model)) return send_error(ex, vertex::model_not_found(resource), false);
            if (method == "rawPredict" || method == "streamRawPredict")
                return claude(ex, context, *model_path, method == "streamRawPredict");
        }
        if (method == "generateContent" || stream || method == "countTokens") {
            if (model_path->publisher != "google" || family != vertex::ModelFamily::gemini)
                return send_error(ex, vertex::model_not_found(resource), array);
            return generate(ex, context, *model_path, stream, sse);
        }
        if (method == "predict" && model_path->publisher == "google" && vertex::embedding_size(model_path->model))
            return embed(ex, context, *model_path);
        if (method == "predict") {
            if (family == vertex::ModelFamily::gemini && model_path->publisher == "google") {
                ApiError e;
                e.status = "FAILED_PRECONDITION";
                e.message = "Gemini cannot be accessed through Vertex Predict/RawPredict API. Please follow "
                            "https://cloud.google.com/vertex-ai/docs/generative-ai/start/quickstarts/"
                            "quickstart-multimodal for Gemini usage.";
                return send_error(ex, e, false);
            }
            if (model_path->publisher != "google" || family == vertex::ModelFamily::unknown)
                return send_error(ex, vertex::model_not_found(resource), false);
            return predict(ex, context, *model_path, family);
        }
        ApiError e;
        e.code = 404;
        e.status = "NOT_FOUND";
        e.message = "Method not found: " + method + " is not served by this simulator.";
        send_error(ex, e, array);
    }

private:
    static void send_error(Exchange &ex, const ApiError &e, bool array) {
        ex.send(e.code, kJson, vertex::framed_error_body(e, array));
    }

    bool authorized(Exchange &ex, const vertex::ModelPath &path, bool array) const {
        auto api_key = ex.header("x-goog-api-key");
        if (!api_key) api_key = vertex::query_param(ex.query(), "key");
        if (api_key) {
            if (*api_key == key_) return true;
            ApiError e = vertex::invalid_argument("API key not valid. Please pass a valid API key.");
            e.details.push_back(error_info("API_KEY_INVALID", "googleapis.com",
                                           json::object{{"service", "aiplatform.googleapis.com"}}));
            send_error(ex, e, array);
            return false;
        }
        const auto header = ex.header("Authorization");
        std::string_view token;
        if (header && header->size() > 7 && (header->starts_with("Bearer ") || header->starts_with("bearer ")))
            token = std::string_view(*header).substr(7);
        const json::object metadata{{"service", "aiplatform.googleapis.com"},
                                    {"method", rpc_method(path.version, path.method)}};
        ApiError e;
        e.code = 401;
        e.status = "UNAUTHENTICATED";
        if (token.empty()) {
            e.message = "Request is missing required authentication credential." + std::string(kAuthHelp);
            e.details.push_back(error_info("CREDENTIALS_MISSING", "googleapis.com", metadata));
        } else {
            switch (tokens_.check(token, unix_seconds())) {
            case vertex::AccessTokens::Check::ok: return true;
            case vertex::AccessTokens::Check::insufficient_scope:
                e.code = 403;
                e.status = "PERMISSION_DENIED";
                e.message = "Request had insufficient authentication scopes.";
                e.details.push_back(error_info("ACCESS_TOKEN_SCOPE_INSUFFICIENT", "googleapis.com", metadata));
                send_error(ex, e, array);
                return false;
            case vertex::AccessTokens::Check::expired:
                e.message = "Request had invalid authentication credentials." + std::string(kAuthHelp);
                e.details.push_back(error_info("ACCESS_TOKEN_EXPIRED", "googleapis.com", metadata));
                break;
            case vertex::AccessTokens::Check::malformed:
                e.message = "Request had invalid authentication credentials." + std::string(kAuthHelp);
                e.details.push_back(error_info("ACCESS_TOKEN_TYPE_UNSUPPORTED", "googleapis.com", metadata));
                break;
            }
        }
        ex.set_header("WWW-Authenticate", token.empty() ? R"(Bearer realm="https://accounts.google.com/")"
                                                        : R"(Bearer realm="https://accounts.google.com/", error="invalid_token")");
        send_error(ex, e, array);
        return false;
    }

    static void send_fault_error(Exchange &ex, FaultKind fault, bool array) {
        ApiError e;
        e.code = fault_status(fault);
        switch (fault) {
        case FaultKind::rate_limited:
            e.status = "RESOURCE_EXHAUSTED";
            e.message = "Resource exhausted. Please try again later. Please refer to "
                        "https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429 for more details.";
            e.details.push_back(json::object{{"@type", "type.googleapis.com/google.rpc.RetryInfo"}, {"retryDelay", "2s"}});
            break;
        case FaultKind::server_error:
            e.status = "INTERNAL";
            e.message = "Internal error encountered.";
            break;
        default: // 503, 529
            e.status = "UNAVAILABLE";
            e.message = "The service is currently unavailable.";
            break;
        }
        send_error(ex, e, array);
    }

    // The request's fault: a Vertex-only directive, or one of the common kinds
    // (resolved and counted by the context). nullopt after answering 400.
    static std::optional<std::pair<VertexFault, FaultKind>> resolve_fault(Exchange &ex, ProviderContext &context,
                                                                          std::string_view prompt_text, bool array) {
        std::optional<std::string> requested = ex.header("x-sim-fault");
        if (!requested) requested = find_fault_directive(prompt_text);
        if (requested) {
            if (const auto own = vertex_fault(*requested); own != VertexFault::none)
                return std::pair{own, FaultKind::none};
        }
        std::string problem;
        const auto kind = context.resolve_fault(ex, prompt_text, problem);
        if (!kind) {
            send_error(ex, vertex::invalid_argument(problem + " (Vertex also: safety, prompt-blocked, permission-denied)"),
                       array);
            return std::nullopt;
        }
        return std::pair{VertexFault::none, *kind};
    }

    static void permission_denied(Exchange &ex, const vertex::ModelPath &path, bool array) {
        const std::string resource = vertex::resource_name(path);
        ApiError e;
        e.code = 403;
        e.status = "PERMISSION_DENIED";
        e.message = "Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/" +
                    resource + "' (or it may not exist).";
        e.details.push_back(error_info("IAM_PERMISSION_DENIED", "aiplatform.googleapis.com",
                                       json::object{{"permission", "aiplatform.endpoints.predict"},
                                                    {"resource", resource}}));
        send_error(ex, e, array);
    }

    // Reads the body; false after answering.
    static bool read_body(Exchange &ex, std::string &body, bool array) {
        if (ex.read_body(body, kMaxBody)) return true;
        send_error(ex, vertex::invalid_argument("Request payload size exceeds the limit: " + std::to_string(kMaxBody) +
                                                " bytes."),
                   array);
        return false;
    }

    void generate(Exchange &ex, ProviderContext &context, const vertex::ModelPath &path, bool stream, bool sse) {
        const bool array = stream && !sse;
        std::string body;
        if (!read_body(ex, body, array)) return;
        ApiError error;
        const auto request = vertex::parse_generate_request(body, path.model, error);
        if (!request) return send_error(ex, error, array);
        context.stats().record_media(request->prompt.media);
        if (path.method == "countTokens") return ex.send(200, kJson, vertex::count_tokens_body(request->prompt));

        std::string problem;
        auto behaviour = context.behaviour(ex, problem);
        if (!behaviour) return send_error(ex, vertex::invalid_argument(problem), array);
        const auto fault = resolve_fault(ex, context, request->prompt.last_user_text, array);
        if (!fault) return;
        const auto [own, kind] = *fault;
        if (own == VertexFault::permission_denied) return permission_denied(ex, path, array);
        if (is_error_status_fault(kind)) return send_fault_error(ex, kind, array);
        apply_connection_fault(ex, kind, *behaviour);

        const vertex::ResponseMeta meta{random_id("", 23), rfc3339_now(), path.model};
        const Reply reply = generate_reply(request->prompt, behaviour->reply_tokens);
        if (stream) {
            const auto framing = sse ? vertex::StreamFraming::sse : vertex::StreamFraming::json_array;
            const std::string_view type = sse ? "text/event-stream" : kJson;
            if (own == VertexFault::prompt_blocked) {
                const std::string blocked = vertex::blocked_prompt_body(reply.prompt_tokens, meta);
                FixedFrames frames({sse ? "data: " + blocked + "\r\n\r\n" : "[" + blocked + "]"});
                return deliver_stream(ex, context.stats(), *behaviour, kind, frames, type,
                                      vertex::malformed_chunk(framing));
            }
            vertex::ChunkStream chunks(reply, meta, framing, own == VertexFault::safety, request->prompt.show_thinking);
            return deliver_stream(ex, context.stats(), *behaviour, kind, chunks, type, vertex::malformed_chunk(framing));
        }
        std::string out;
        std::uint64_t generated = reply.completion_tokens;
        if (own == VertexFault::prompt_blocked) {
            out = vertex::blocked_prompt_body(reply.prompt_tokens, meta);
            generated = 0;
        } else if (own == VertexFault::safety) {
            out = vertex::safety_stop_chunk(reply, 0, meta);
        } else {
            out = vertex::generate_body(reply, meta, request->prompt.show_thinking);
        }
        deliver_body(ex, *behaviour, kind, generated, kJson, out);
    }

    // Claude's rawPredict / streamRawPredict: Anthropic's Messages API behind
    // Vertex's URL and authentication (vertex_claude.hpp). The request's
    // errors are Anthropic's objects, quota and availability Google's.
    static void claude(Exchange &ex, ProviderContext &context, const vertex::ModelPath &path, bool stream) {
        std::string body;
        if (!read_body(ex, body, false)) return;
        anthropic::ApiError error;
        const auto request = vertex::parse_raw_predict(body, path.model, error);
        if (!request) return ex.send(error.status, kJson, anthropic::error_body(error, random_id("req_vrtx_", 20)));
        context.stats().record_media(request->prompt.media);
        std::string problem;
        auto behaviour = context.behaviour(ex, problem);
        if (!behaviour) return send_error(ex, vertex::invalid_argument(problem), false);
        const auto fault = resolve_fault(ex, context, request->prompt.last_user_text, false);
        if (!fault) return;
        const auto [own, kind] = *fault;
        if (own == VertexFault::permission_denied) return permission_denied(ex, path, false);
        if (is_error_status_fault(kind)) return send_fault_error(ex, kind, false);
        apply_connection_fault(ex, kind, *behaviour);

        const Reply reply = generate_reply(request->prompt, behaviour->reply_tokens);
        const anthropic::ReplyMeta meta{random_id("msg_vrtx_", 24), path.model};
        if (stream) {
            anthropic::EventStream events(reply, meta);
            return deliver_stream(ex, context.stats(), *behaviour, kind, events, "text/event-stream; charset=utf-8",
                                  anthropic::malformed_event());
        }
        deliver_body(ex, *behaviour, kind, reply.completion_tokens, kJson, anthropic::message_body(reply, meta));
    }

    // The OpenAI-compatible endpoint (vertex_openai.hpp): OpenAI's chat
    // completions flow, with Vertex's authentication and Google's errors.
    class VertexChat final : public openai::ChatService {
    public:
        void send_error(Exchange &ex, const openai::ApiError &error) const override {
            VertexApi::send_error(ex, vertex::invalid_chat_request(error), true);
        }
        void send_fault_error(Exchange &ex, FaultKind fault, const openai::ChatRequest &) const override {
            VertexApi::send_fault_error(ex, fault, true);
        }
    };

    void chat_completions(Exchange &ex, ProviderContext &context, const vertex::OpenApiPath &at) {
        const auto started = std::chrono::steady_clock::now();
        ex.set_header("Vary", "Origin, X-Origin, Referer");
        if (!authorized(ex, vertex::maas_model_path(at, ""), true)) return;
        const VertexChat service{};
        const auto request = openai::read_chat_request(ex, service);
        if (!request) return;
        const std::string &model = request->prompt.model;
        if (const auto refused = vertex::check_maas_model(at, model)) return send_error(ex, *refused, true);
        const auto fault = resolve_fault(ex, context, request->prompt.last_user_text, true);
        if (!fault) return;
        const auto [own, kind] = *fault;
        if (own == VertexFault::permission_denied) return permission_denied(ex, vertex::maas_model_path(at, model), true);
        const openai::ReplyMeta meta{random_id("", 24), unix_seconds(), model};
        openai::answer_chat(ex, context, service, *request, meta, openai::openai_dialect(), started, kind);
    }

    static void predict(Exchange &ex, ProviderContext &context, const vertex::ModelPath &path,
                        vertex::ModelFamily family) {
        std::string body;
        if (!read_body(ex, body, false)) return;
        ApiError error;
        const auto request = vertex::parse_predict_request(body, family, path.model, error);
        if (!request) return send_error(ex, error, false);

        std::string problem;
        auto behaviour = context.behaviour(ex, problem);
        if (!behaviour) return send_error(ex, vertex::invalid_argument(problem), false);
        const auto fault = resolve_fault(ex, context, request->instances.front().last_user_text, false);
        if (!fault) return;
        const auto [own, kind] = *fault;
        if (own == VertexFault::permission_denied) return permission_denied(ex, path, false);
        if (is_error_status_fault(kind)) return send_fault_error(ex, kind, false);
        apply_connection_fault(ex, kind, *behaviour);

        std::vector<Reply> replies;
        std::uint64_t generated = 0;
        for (const auto &prompt : request->instances) {
            replies.push_back(generate_reply(prompt, behaviour->reply_tokens));
            generated += replies.back().completion_tokens;
        }
        deliver_body(ex, *behaviour, kind, generated, kJson, vertex::predict_body(replies, request->instances));
    }

    static void embed(Exchange &ex, ProviderContext &context, const vertex::ModelPath &path) {
        std::string body;
        if (!read_body(ex, body, false)) return;
        ApiError error;
        const auto reply = vertex::embeddings_reply(path.model, body, error);
        if (!reply) return send_error(ex, error, false);
        std::string problem;
        auto behaviour = context.behaviour(ex, problem);
        if (!behaviour) return send_error(ex, vertex::invalid_argument(problem), false);
        const auto fault = resolve_fault(ex, context, reply->first_text, false);
        if (!fault) return;
        const auto [own, kind] = *fault;
        if (own == VertexFault::permission_denied) return permission_denied(ex, path, false);
        if (is_error_status_fault(kind)) return send_fault_error(ex, kind, false);
        apply_connection_fault(ex, kind, *behaviour);
        deliver_body(ex, *behaviour, kind, 0, kJson, reply->body);
    }

    std::vector<std::string> token_audiences(const Exchange &ex) const {
        std::vector<std::string> audiences{std::string(gcp::kGoogleTokenUri), "https://www.googleapis.com/oauth2/v4/token"};
        if (const auto host = ex.header("Host")) {
            audiences.push_back("http://" + *host + "/token");
            audiences.push_back("https://" + *host + "/token");
        }
        return audiences;
    }

    void token_endpoint(Exchange &ex) {
        ex.set_header("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate");
        ex.set_header("Pragma", "no-cache");
        if (ex.method() != "POST")
            return ex.send(405, "application/json; charset=utf-8",
                           R"({"error":"invalid_request","error_description":"Method not allowed: use POST"})");
        std::string body;
        if (!ex.read_body(body, kMaxSmallBody))
            return ex.send(400, "application/json; charset=utf-8",
                           R"({"error":"invalid_request","error_description":"Request too large"})");
        const auto form = gcp::parse_form(body);
        const auto grant = form ? form->find("grant_type") : decltype(form->end()){};
        const auto reply = form && grant != form->end() && grant->second == "refresh_token"
                               ? vertex::refresh_token_grant(body, federation_, tokens_, unix_seconds())
                               : vertex::token_endpoint(body, accounts_, tokens_, token_audiences(ex), unix_seconds());
        ex.send(reply.status, "application/json; charset=utf-8", reply.body);
    }

    // A POST to Google STS or the IAM credentials API.
    template <class F> void federation(Exchange &ex, F &&answer) {
        if (ex.method() != "POST")
            return ex.send(405, "application/json", R"({"error":"invalid_request","error_description":"use POST"})");
        std::string body;
        if (!ex.read_body(body, kMaxSmallBody))
            return ex.send(400, "application/json", R"({"error":"invalid_request","error_description":"Request too large"})");
        const vertex::HttpReply reply = answer(body);
        ex.send(reply.status, "application/json; charset=utf-8", reply.body);
    }

    void metadata_server(Exchange &ex) {
        ex.set_header("Metadata-Flavor", "Google");
        const std::string_view path = ex.path();
        const auto flavor = ex.header("Metadata-Flavor");
        if (ex.header("X-Forwarded-For") || !flavor || *flavor != "Google") {
            return ex.send(403, "text/html; charset=UTF-8",
                           "Your client does not have permission to get URL <code>" + std::string(path) +
                               "</code> from this server. Missing Metadata-Flavor:Google header.\n");
        }
        const auto text = [&](std::string_view body) { ex.send(200, "application/text", body); };
        if (path == "/computeMetadata/v1/" || path == "/computeMetadata/v1/instance" ||
            path == "/computeMetadata/v1/instance/")
            return text("attributes/\nhostname\nid\nservice-accounts/\nzone\n");
        if (path == "/computeMetadata/v1/project/project-id") return text(kSimProject);
        if (path == "/computeMetadata/v1/project/numeric-project-id") return text("123456789012");
        if (path == "/computeMetadata/v1/universe/universe-domain") return text("googleapis.com");
        if (path == "/computeMetadata/v1/instance/zone") return text("projects/123456789012/zones/us-central1-a");
        if (path == "/computeMetadata/v1/instance/service-accounts/" ||
            path == "/computeMetadata/v1/instance/service-accounts")
            return text("default/\n" + std::string(kSimAccount) + "/\n");
        if (path.starts_with(kAccountsPrefix)) {
            const std::string_view rest = path.substr(kAccountsPrefix.size());
            const auto slash = rest.find('/');
            const std::string_view account = rest.substr(0, slash);
            const std::string_view leaf = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
            if (account == "default" || account == kSimAccount) {
                if (leaf == "token") {
                    const auto reply = vertex::metadata_token(
                        tokens_, kSimAccount, vertex::query_param(ex.query(), "scopes").value_or(""), unix_seconds());
                    return ex.send(reply.status, "application/json", reply.body);
                }
                if (leaf == "email") return text(kSimAccount);
                if (leaf == "scopes") return text(std::string(gcp::kCloudPlatformScope) + "\n");
                if (leaf == "aliases") return text("default\n");
                if (leaf.empty()) {
                    json::object info{{"aliases", json::array{"default"}},
                                      {"email", kSimAccount},
                                      {"scopes", json::array{gcp::kCloudPlatformScope}}};
                    return ex.send(200, "application/json", json::serialize(info));
                }
            }
        }
        ex.send(404, "text/html; charset=UTF-8", not_found_html(path));
    }

    void control(Exchange &ex) {
        const std::string_view path = ex.path();
        if (path == "/__vertex/service-account" && ex.method() == "GET") {
            gcp::ServiceAccountKey exported = account_;
            exported.token_uri = "http://" + ex.header("Host").value_or("127.0.0.1") + "/token";
            return ex.send(200, "application/json", gcp::service_account_key_json(exported));
        }
        if (path == "/__vertex/service-accounts" && ex.method() == "POST") {
            std::string body;
            std::string error;
            if (!ex.read_body(body, kMaxSmallBody)) error = "body too large";
            const auto email = error.empty() ? accounts_.add_from_text(body, error) : std::nullopt;
            if (!email) return ex.send(400, "application/json", json::serialize(json::object{{"error", error}}));
            return ex.send(200, "application/json",
                           json::serialize(json::object{{"client_email", *email}, {"trusted", accounts_.size()}}));
        }
        if (path == "/__vertex/subject-token" && ex.method() == "GET") {
            if (ex.header("Metadata").value_or("") != "True")
                return ex.send(400, "application/json", R"({"error":"invalid_request","error_description":"Metadata: True required"})");
            const std::string token = federation_.subject_token.empty() ? std::string(vertex::kSimSubjectToken)
                                                                        : federation_.subject_token;
            return ex.send(200, "application/json", json::serialize(json::object{{"id_token", token}}));
        }
        if (path == "/__vertex/revoke-tokens" && ex.method() == "POST") {
            tokens_.revoke_all();
            return ex.send(200, "application/json", R"({"revoked":true})");
        }
        ex.send(404, "application/json",
                R"({"error":"use GET /__vertex/service-account, POST /__vertex/service-accounts or POST /__vertex/revoke-tokens"})");
    }

    std::string key_;
    vertex::AccessTokens tokens_;
    vertex::FederationSettings federation_;
    vertex::TrustedAccounts accounts_;
    gcp::ServiceAccountKey account_;
};

} // namespace

std::string check_vertex_token_ttl(std::string_view value) {
    const auto v = parse_bounded(value, 7 * 24 * 3600);
    if (!v || *v < 1) return "expected seconds in [1, 604800], got '" + std::string(value) + "'";
    return {};
}

std::string check_readable_file(std::string_view value) {
    if (value.empty()) return {};
    std::ifstream in{std::string(value)};
    if (!in) return "cannot read '" + std::string(value) + "'";
    return {};
}

std::unique_ptr<ProviderApi> make_vertex_api(const ProviderOptions &options) {
    return std::make_unique<VertexApi>(options);
}

} // namespace helix::cloudsim
