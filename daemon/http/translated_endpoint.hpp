#pragma once
// What the endpoints translated onto a chat request (/v1/responses,
// /v1/completions) share: the endpoint that owns the parsed request and
// makes each candidate's chat call, the usage and cost bookkeeping of their
// encoders, and the plan that routes the chat request. Each endpoint brings
// its request (with members `chat`, a ChatRequest, and `body`, the client's
// text) and its encoder.

#include "daemon/api/chat_token_estimate.hpp"
#include "daemon/http/chat_endpoint.hpp"
#include "daemon/http/media_inliner.hpp"
#include "daemon/http/request_id.hpp"

#include <memory>
#include <string>
#include <variant>

namespace helix::http {

// An encoder's share of the bookkeeping: the text for the access log, the
// usage for the metrics, and the whole reply's x-helix-cost-usd header.
class TranslatedEncoder : public router::ReplyEncoder {
protected:
    TranslatedEncoder(bool stream, const config::Config &config, const router::Candidate &candidate,
                      metrics::RequestObservation &observed, audit::AccessRecord *content_log)
        : stream_(stream), config_(config), candidate_(candidate), observed_(observed), content_log_(content_log) {}

    void log_text(const helix_event &event) {
        if (content_log_ != nullptr && event.type == HELIX_EVENT_TEXT_DELTA)
            content_log_->add_completion_text({event.text.data, event.text.len});
    }

    // Ends `builder` (finish(events), usage(), build()): a stream's last
    // payloads go into `events`, a whole reply is returned.
    template <class Builder>
    std::string finish_builder(Builder &builder, std::vector<std::string> &events, router::ReplyWriter &reply) {
        const api::Usage &usage = builder.usage();
        const auto usd = record_usage(config_, candidate_, observed_, usage);
        builder.finish(events);
        if (stream_) return {}; // its headers went out before the usage was known
        if (usd) reply.set_header("x-helix-cost-usd", usd_text(*usd));
        return builder.build();
    }

    // The suffix of the reply's ids, unique per attempt.
    static std::string id_suffix() { return request_id_for("").substr(4); }

private:
    const bool stream_;
    const config::Config &config_;
    const router::Candidate candidate_;
    metrics::RequestObservation &observed_;
    audit::AccessRecord *content_log_;
};

template <class Request, class Encoder>
class TranslatedEndpoint : public router::Endpoint {
public:
    TranslatedEndpoint(Request request, const config::Config &config, metrics::RequestObservation &observed,
                       audit::AccessRecord *content_log)
        : request_(std::move(request)), config_(config), observed_(observed), content_log_(content_log) {}

    bool streamed() const override { return request_.chat.stream(); }
    router::Prepared prepare(const router::Candidate &candidate) override {
        return prepare_chat(request_.chat, candidate);
    }
    boost::asio::awaitable<std::optional<api::ApiError>> before_prepare(const router::Candidate &candidate,
                                                                        transport::AsyncExchange &exchange,
                                                                        std::chrono::steady_clock::time_point deadline) override {
        return inline_media(request_.chat, candidate, exchange, config_.media_fetch, deadline);
    }
    std::unique_ptr<router::ReplyEncoder> encoder(const router::Candidate &candidate) override {
        return std::make_unique<Encoder>(request_, config_, candidate, observed_, content_log_);
    }

protected:
    Request request_;

private:
    const config::Config &config_;
    metrics::RequestObservation &observed_;
    audit::AccessRecord *content_log_;
};

// Routes a parsed request's chat request (plan_parsed_chat) and makes its
// endpoint, an Endpoint (a TranslatedEndpoint, or one derived from it).
template <class Endpoint, class Request>
std::variant<EndpointPlan, api::ApiError> plan_translated_with(EndpointRequest &request,
                                                               std::variant<Request, api::ApiError> parsed,
                                                               bool legacy_completions = false) {
    if (auto *error = std::get_if<api::ApiError>(&parsed)) return std::move(*error);
    Request &translated = std::get<Request>(parsed);
    auto planned = plan_parsed_chat(request.runtime, std::move(translated.chat), request.priority, request.client,
                                    request.record, legacy_completions);
    if (auto *error = std::get_if<api::ApiError>(&planned)) return std::move(*error);
    ChatPlan &plan = std::get<ChatPlan>(planned);
    translated.chat = std::move(plan.chat);
    const config::Config &config = *request.runtime.config;
    if (config.log.access_content) request.record.request_body = translated.body; // the client's, not the translation
    const api::TokenEstimate tokens = api::estimate_chat_tokens(translated.chat.view());
    auto endpoint = std::make_unique<Endpoint>(std::move(translated), config, request.observed,
                                               config.log.access_content ? &request.record : nullptr);
    return EndpointPlan{std::move(endpoint), std::move(plan.candidates), std::nullopt, tokens.input, tokens.output};
}

template <class Encoder, class Request>
std::variant<EndpointPlan, api::ApiError> plan_translated(EndpointRequest &request,
                                                          std::variant<Request, api::ApiError> parsed) {
    return plan_translated_with<TranslatedEndpoint<Request, Encoder>>(request, std::move(parsed));
}

} // namespace helix::http
