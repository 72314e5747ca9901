#include "tools/cloudsim/bedrock_api.hpp"

#include "tools/cloudsim/aws_process_sts.hpp"

#include "tools/cloudsim/aws_credentials.hpp"
#include "tools/cloudsim/bedrock_auth.hpp"
#include "tools/cloudsim/bedrock_embeddings.hpp"
#include "tools/cloudsim/bedrock_wire.hpp"
#include "tools/cloudsim/delivery.hpp"
#include "tools/cloudsim/exchange.hpp"
#include "tools/cloudsim/wire_util.hpp"

#include <Poco/Net/HTTPServerRequest.h>

#include <chrono>
#include <vector>

namespace helix::cloudsim {

namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::size_t kMaxCredentialBody = 64 * 1024;

std::string setting(const ProviderOptions &options, std::string_view name, std::string_view fallback) {
    const auto it = options.settings.find(name);
    return it == options.settings.end() ? std::string(fallback) : it->second;
}

void send_error(Exchange &ex, const bedrock::ApiError &e) {
    ex.set_header("x-amzn-ErrorType", bedrock::error_type_header(e.type));
    ex.send(e.status, kJson, bedrock::error_body(e));
}

std::int64_t elapsed_ms(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - since).count();
}

// The request's fault: a Bedrock stream fault (bad-crc, malformed-frame,
// exception-frame[:type]) from the request or the fault board, or one of the
// common kinds. nullopt after answering 400.
struct ResolvedFault {
    FaultKind common = FaultKind::none;
    bedrock::StreamFault stream;
};

std::optional<ResolvedFault> resolve_fault(Exchange &ex, ProviderContext &context, std::string_view prompt_text,
                                           bedrock::Operation op) {
    std::optional<std::string> requested = ex.header("x-sim-fault");
    if (!requested) requested = find_fault_directive(prompt_text);
    if (requested) {
        std::string problem;
        if (auto own = bedrock::parse_stream_fault(*requested, op, problem)) {
            if (!problem.empty()) {
                send_error(ex, bedrock::validation_error(problem));
                return std::nullopt;
            }
            return ResolvedFault{FaultKind::none, std::move(*own)};
        }
    }
    if (!requested)
        if (const auto own = context.faults().take_own()) {
            std::string ignored; // an exception type this operation lacks: no fault
            if (auto fault = bedrock::parse_stream_fault(*own, op, ignored)) return ResolvedFault{FaultKind::none, *fault};
        }
    std::string problem;
    const auto kind = context.resolve_fault(ex, prompt_text, problem);
    if (!kind) {
        send_error(ex, bedrock::validation_error(problem +
                                                 " (Bedrock also: bad-crc, malformed-frame, exception-frame[:<type>])"));
        return std::nullopt;
    }
    return ResolvedFault{*kind, {}};
}

class BedrockApi final : public ProviderApi {
public:
    explicit BedrockApi(const ProviderOptions &options)
        : auth_{setting(options, "access-key-id", kBedrockDefaultAccessKeyId),
                setting(options, "secret-access-key", kBedrockDefaultSecretAccessKey),
                setting(options, "region", "us-east-1"), options.key},
          store_(std::stoll(setting(options, "credentials-ttl-s", "3600"))),
          endpoints_(aws_credentials::EndpointSettings{auth_.region == bedrock::kAnyRegion ? "us-east-1" : auth_.region,
                                                       std::string(aws_credentials::kRoleName),
                                                       std::string(aws_credentials::kAccountId),
                                                       setting(options, "web-identity-token", ""),
                                                       setting(options, "container-token", "sim-container-token"),
                                                       auth_.access_key_id,
                                                       auth_.secret_access_key,
                                                       setting(options, "external-id", ""),
                                                       setting(options, "sso-access-token", "sim-sso-access-token")},
                     store_) {
        aws_credentials::set_process_sts(&endpoints_);
    }
    ~BedrockApi() override { aws_credentials::set_process_sts(nullptr); }
    BedrockApi(const BedrockApi &) = delete;
    BedrockApi &operator=(const BedrockApi &) = delete;

    std::string_view name() const override { return "bedrock"; }
    bool board_fault(std::string_view kind) const override {
        std::string problem;
        return bedrock::parse_stream_fault(kind, bedrock::Operation::converse_stream, problem) && problem.empty();
    }

    void handle(Exchange &ex, ProviderContext &context) override {
        const auto started = std::chrono::steady_clock::now();
        const std::string_view path = ex.path();
        if (aws_credentials::is_credential_path(path)) return credentials(ex);
        if (path == "/__bedrock/expire-credentials" && ex.method() == "POST") {
            const std::size_t n = store_.expire_all(unix_seconds());
            return ex.send(200, kJson, "{\"expired\":" + std::to_string(n) + "}");
        }

        ex.set_header("x-amzn-RequestId", aws_credentials::random_uuid());
        const auto model_path = bedrock::parse_model_path(path);
        if (!model_path || ex.method() != "POST") return send_error(ex, bedrock::unknown_operation(ex.method(), path));

        std::string body;
        if (!ex.read_body(body, bedrock::kMaxBodyBytes)) {
            bedrock::ApiError e = bedrock::validation_error("The request body exceeds " +
                                                            std::to_string(bedrock::kMaxBodyBytes) + " bytes.");
            e.status = 413;
            return send_error(ex, e);
        }
        if (!authenticated(ex, body)) return;

        const auto family = bedrock::model_family(model_path->model_id);
        if (!family) return send_error(ex, bedrock::invalid_model_error());
        // A geographic inference profile (us., eu., apac., ...) is served only in its own regions.
        const std::string region = bedrock::expected_region(ex.header("Host").value_or(""), auth_.region);
        if (region != bedrock::kAnyRegion && !bedrock::profile_serves_region(model_path->model_id, region))
            return send_error(ex, bedrock::invalid_model_error());
        const bedrock::Operation op = model_path->operation;
        if (bedrock::is_embedding_model(model_path->model_id)) {
            if (op != bedrock::Operation::invoke)
                return send_error(ex, bedrock::validation_error("The provided model doesn't support this operation."));
            return embed(ex, context, *model_path, body);
        }
        if (op == bedrock::Operation::converse || op == bedrock::Operation::converse_stream)
            return converse(ex, context, *model_path, body, started);
        invoke(ex, context, *model_path, *family, body, started);
    }

private:
    bool authenticated(Exchange &ex, std::string_view body) const {
        std::vector<helix::aws::HttpHeader> headers;
        for (const auto &[name, value] : ex.request()) headers.push_back({name, value});
        const helix::aws::ReceivedRequest received{ex.method(), ex.path(), ex.query(), headers, body};
        const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
        const auto failure = bedrock::authenticate(received, auth_, store_, now);
        if (!failure) return true;
        bedrock::ApiError e;
        e.status = failure->status;
        e.type = failure->error_type;
        e.message = failure->message;
        e.message_key = failure->message_key;
        send_error(ex, e);
        return false;
    }

    void credentials(Exchange &ex) {
        std::string body;
        if (ex.method() == "POST" && !ex.read_body(body, kMaxCredentialBody))
            return ex.send(413, "text/plain", "Request Entity Too Large");
        std::vector<helix::aws::HttpHeader> headers;
        for (const auto &[name, value] : ex.request()) headers.push_back({name, value});
        aws_credentials::EndpointRequest request{ex.method(), ex.path(), ex.query(),
                                                 [&ex](std::string_view name) { return ex.header(name); }, body,
                                                 headers};
        auto reply = endpoints_.handle(request, unix_seconds());
        if (!reply) return send_error(ex, bedrock::unknown_operation(ex.method(), ex.path()));
        for (const auto &[name, value] : reply->headers) ex.set_header(name, value);
        ex.send(reply->status, reply->content_type, reply->body);
    }

    static std::optional<Behaviour> behaviour(Exchange &ex, ProviderContext &context) {
        std::string problem;
        auto b = context.behaviour(ex, problem);
        if (!b) send_error(ex, bedrock::validation_error(problem));
        return b;
    }

    // Answers an error-status fault or a non-streamed exception-frame fault;
    // applies the connection faults. False when the request is answered.
    static bool apply_faults(Exchange &ex, const ResolvedFault &fault, bedrock::Operation op, Behaviour &behaviour) {
        if (is_error_status_fault(fault.common)) {
            send_error(ex, bedrock::fault_error(fault.common));
            return false;
        }
        if (!bedrock::is_stream(op) && fault.stream.kind == bedrock::StreamFaultKind::exception_frame) {
            send_error(ex, bedrock::exception_as_error(fault.stream.exception_type));
            return false;
        }
        apply_connection_fault(ex, fault.common, behaviour);
        return true;
    }

    static std::int64_t planned_latency_ms(const Behaviour &behaviour, std::uint64_t tokens) {
        return behaviour.ttfb.count() +
               behaviour.token_delay.count() * static_cast<std::int64_t>(std::min<std::uint64_t>(tokens, 1'000'000));
    }

    void converse(Exchange &ex, ProviderContext &context, const bedrock::ModelPath &path, std::string_view body,
                  std::chrono::steady_clock::time_point started) {
        bedrock::ApiError error;
        const auto prompt = bedrock::parse_converse_request(body, path.model_id, error);
        if (!prompt) return send_error(ex, error);
        context.stats().record_media(prompt->media);
        auto knobs = behaviour(ex, context);
        if (!knobs) return;
        const auto fault = resolve_fault(ex, context, prompt->last_user_text, path.operation);
        if (!fault || !apply_faults(ex, *fault, path.operation, *knobs)) return;

        const Reply reply = generate_reply(*prompt, knobs->reply_tokens);
        if (path.operation == bedrock::Operation::converse_stream) {
            bedrock::EventFrames frames(bedrock::converse_stream_events(reply), bedrock::Framing::converse, fault->stream,
                                        [started] { return elapsed_ms(started); });
            deliver_stream(ex, context.stats(), *knobs, fault->common, frames, bedrock::kEventStreamContentType,
                           bedrock::malformed_frame(bedrock::Framing::converse));
            return;
        }
        deliver_body(ex, *knobs, fault->common, reply.completion_tokens, kJson,
                     bedrock::converse_body(reply, planned_latency_ms(*knobs, reply.completion_tokens)));
    }

    void invoke(Exchange &ex, ProviderContext &context, const bedrock::ModelPath &path, bedrock::ModelFamily family,
                std::string_view body, std::chrono::steady_clock::time_point started) {
        bedrock::ApiError error;
        const auto request = bedrock::parse_invoke_request(body, path.model_id, family, error);
        if (!request) return send_error(ex, error);
        context.stats().record_media(request->prompt.media);
        auto knobs = behaviour(ex, context);
        if (!knobs) return;
        const auto fault = resolve_fault(ex, context, request->prompt.last_user_text, path.operation);
        if (!fault || !apply_faults(ex, *fault, path.operation, *knobs)) return;

        const Reply reply = generate_reply(request->prompt, knobs->reply_tokens);
        const std::string message_id = random_id("msg_bdrk_01", 22);
        if (path.operation == bedrock::Operation::invoke_stream) {
            ex.set_header("X-Amzn-Bedrock-Content-Type", "application/json");
            bedrock::EventFrames frames(bedrock::invoke_stream_events(*request, reply, message_id),
                                        bedrock::Framing::chunk, fault->stream, [started] { return elapsed_ms(started); });
            deliver_stream(ex, context.stats(), *knobs, fault->common, frames, bedrock::kEventStreamContentType,
                           bedrock::malformed_frame(bedrock::Framing::chunk));
            return;
        }
        ex.set_header("X-Amzn-Bedrock-Input-Token-Count", std::to_string(reply.prompt_tokens));
        ex.set_header("X-Amzn-Bedrock-Output-Token-Count", std::to_string(reply.completion_tokens));
        ex.set_header("X-Amzn-Bedrock-Invocation-Latency",
                      std::to_string(planned_latency_ms(*knobs, reply.completion_tokens)));
        deliver_body(ex, *knobs, fault->common, reply.completion_tokens, kJson,
                     bedrock::invoke_body(*request, reply, message_id));
    }

    void embed(Exchange &ex, ProviderContext &context, const bedrock::ModelPath &path, std::string_view body) {
        bedrock::ApiError error;
        const auto reply = bedrock::embeddings_reply(path.model_id, body, error);
        if (!reply) return send_error(ex, error);
        auto knobs = behaviour(ex, context);
        if (!knobs) return;
        const auto fault = resolve_fault(ex, context, reply->first_text, path.operation);
        if (!fault || !apply_faults(ex, *fault, path.operation, *knobs)) return;
        ex.set_header("X-Amzn-Bedrock-Input-Token-Count", std::to_string(reply->input_tokens));
        ex.set_header("X-Amzn-Bedrock-Invocation-Latency", std::to_string(planned_latency_ms(*knobs, 0)));
        deliver_body(ex, *knobs, fault->common, 0, kJson, reply->body);
    }

    bedrock::AuthConfig auth_;
    aws_credentials::CredentialStore store_;
    aws_credentials::CredentialEndpoints endpoints_;
};

} // namespace

std::string check_bedrock_text(std::string_view value) { return value.empty() ? "must not be empty" : ""; }

std::string check_bedrock_ttl(std::string_view value) {
    const auto v = parse_bounded(value, 86'400);
    return v && *v >= 1 ? "" : "expected seconds in [1, 86400]";
}

std::unique_ptr<ProviderApi> make_bedrock_api(const ProviderOptions &options) {
    return std::make_unique<BedrockApi>(options);
}

} // namespace helix::cloudsim
