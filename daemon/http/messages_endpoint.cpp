#include "daemon/http/messages_endpoint.hpp"

#include "daemon/api/errors.hpp"
#include "daemon/api/messages_builder.hpp"
#include "daemon/api/messages_reply.hpp"
#include "daemon/api/messages_translation.hpp"
#include "daemon/api/token_estimate.hpp"
#include "daemon/http/chat_endpoint.hpp"
#include "daemon/http/media_inliner.hpp"
#include "daemon/http/request_id.hpp"

#include <Poco/String.h>

#include <algorithm>
#include <cstdio>

namespace helix::http {

namespace {

helix_str str(std::string_view s) { return {s.data(), s.size()}; }

bool native(const router::Candidate &c) { return (c.model->capabilities & HELIX_MODEL_MESSAGES) != 0; }

// Counts an answer's usage and cost; a whole reply carries the cost as a header.
void record_usage(const config::Config &config, const router::Candidate &candidate,
                  metrics::RequestObservation &observed, const router::CostTokens &tokens, bool streamed,
                  router::ReplyWriter &reply) {
    const auto cost = router::estimated_cost(config, candidate, tokens);
    observed.usage(candidate.provider->name(), candidate.model->id, tokens.prompt, tokens.completion, cost);
    if (cost && !streamed) {
        char text[32];
        std::snprintf(text, sizeof text, "%.6f", *cost);
        reply.set_header("x-helix-cost-usd", text);
    }
}

// A translated provider's events in Anthropic's shape.
class TranslatedEncoder final : public router::ReplyEncoder {
public:
    TranslatedEncoder(const api::MessagesRequest &request, const config::Config &config,
                      const router::Candidate &candidate, metrics::RequestObservation &observed)
        : builder_("msg_" + request_id_for("").substr(4), std::string(request.model()), request.stream()),
          streamed_(request.stream()), config_(config), candidate_(candidate), observed_(observed) {}

    void add(const helix_event &event, std::vector<std::string> &events) override { builder_.add(event, events); }
    bool done_marker() const override { return false; } // Anthropic's streams end with message_stop

    std::string finish(std::vector<std::string> &events, router::ReplyWriter &reply) override {
        record_usage(config_, candidate_, observed_,
                     {builder_.input_tokens(), builder_.output_tokens(), builder_.cache_read_tokens(),
                      builder_.cache_write_tokens()},
                     streamed_, reply);
        return builder_.finish(events);
    }

private:
    api::MessagesBuilder builder_;
    const bool streamed_;
    const config::Config &config_;
    const router::Candidate candidate_;
    metrics::RequestObservation &observed_;
};

// Relays a Claude upstream's reply or events; counts usage and cost.
class MessagesEncoder final : public router::ReplyEncoder {
public:
    MessagesEncoder(const api::MessagesRequest &request, const config::Config &config,
                    const router::Candidate &candidate, metrics::RequestObservation &observed)
        : relay_(std::string(request.model())), streamed_(request.stream()), config_(config), candidate_(candidate),
          observed_(observed) {}

    bool done_marker() const override { return false; } // Anthropic's streams end with message_stop

    void add(const helix_event &event, std::vector<std::string> &events) override {
        auto payload = relay_.add(event);
        if (!payload) return; // not a Messages object (a plugin's chat events have no place here)
        if (streamed_)
            events.push_back(std::move(*payload));
        else
            body_ = std::move(*payload);
    }

    std::string finish(std::vector<std::string> &, router::ReplyWriter &reply) override {
        const api::MessagesUsage &u = relay_.usage();
        record_usage(config_, candidate_, observed_,
                     {u.input_tokens, u.output_tokens, u.cache_read_tokens, u.cache_write_tokens}, streamed_, reply);
        return body_;
    }

private:
    api::MessagesPassthrough relay_;
    const bool streamed_;
    const config::Config &config_;
    const router::Candidate candidate_;
    metrics::RequestObservation &observed_;
    std::string body_;
};

std::vector<std::string> split_betas(std::string_view header) {
    std::vector<std::string> out;
    while (!header.empty()) {
        const auto comma = header.find(',');
        std::string item(Poco::trim(std::string(header.substr(0, comma))));
        if (!item.empty()) out.push_back(std::move(item));
        if (comma == std::string_view::npos) break;
        header.remove_prefix(comma + 1);
    }
    return out;
}

std::variant<EndpointPlan, api::ApiError> plan(EndpointRequest &request, bool count_tokens) {
    auto parsed = api::parse_messages_request(std::move(request.body), count_tokens);
    if (auto *error = std::get_if<api::ApiError>(&parsed)) return std::move(*error);
    api::MessagesRequest &messages = std::get<api::MessagesRequest>(parsed);
    request.record.model_asked = messages.model();
    request.record.stream = messages.stream();
    const router::Runtime &runtime = request.runtime;
    if (runtime.config->log.access_content) request.record.request_body = messages.body();

    const bool low = Poco::toLower(std::string(request.priority)) == "low";
    auto candidates = router::candidates_for(runtime, messages.model(),
                                             low ? router::Priority::low : router::Priority::critical);
    if (candidates.empty()) return api::model_not_found(messages.model());
    if (request.client != nullptr && request.client->scoped()) {
        std::erase_if(candidates, [&](const router::Candidate &c) {
            return !request.client->allows(messages.model(), c.provider->name(), c.model->id);
        });
        if (candidates.empty()) return model_not_allowed(*request.client, messages.model());
    }
    std::erase_if(candidates,
                  [](const router::Candidate &c) { return (c.model->capabilities & HELIX_MODEL_EMBEDDINGS) != 0; });
    if (candidates.empty())
        return api::invalid_request("The model '" + std::string(messages.model()) +
                                        "' creates embeddings and has no messages: use POST /v1/embeddings.",
                                    "model", "unsupported_model");
    std::erase_if(candidates,
                  [](const router::Candidate &c) { return (c.model->capabilities & HELIX_MODEL_COMPLETIONS) != 0; });
    if (candidates.empty())
        return api::invalid_request("The model '" + std::string(messages.model()) +
                                        "' serves legacy completions only: use POST /v1/completions.",
                                    "model", "unsupported_model");
    const bool any_native = std::any_of(candidates.begin(), candidates.end(), native);
    std::optional<api::ChatRequest> chat;
    if (count_tokens) {
        const auto counts = [](const router::Candidate &c) { return (c.model->capabilities & HELIX_MODEL_COUNT_TOKENS) != 0; };
        if (!std::any_of(candidates.begin(), candidates.end(), counts)) { // no counter upstream: the estimate
            Reply answer;
            answer.body = "{\"input_tokens\":" + std::to_string(api::estimate_input_tokens(messages.json())) + "}";
            answer.headers.emplace_back("x-helix-token-count", "estimate");
            return EndpointPlan{nullptr, {}, std::move(answer)};
        }
        std::erase_if(candidates, [&](const router::Candidate &c) { return !counts(c); });
    } else if (!std::all_of(candidates.begin(), candidates.end(), native)) {
        auto translated = api::translate_messages_to_chat(messages.json());
        if (auto *error = std::get_if<api::ApiError>(&translated)) {
            if (!any_native) return std::move(*error);
            std::erase_if(candidates, [](const router::Candidate &c) { return !native(c); });
        } else {
            chat = std::move(std::get<api::ChatRequest>(translated));
            // A translated candidate must support what the request uses (tools, images, streaming).
            const std::uint32_t needed = chat->required_capabilities();
            std::erase_if(candidates, [needed](const router::Candidate &c) {
                return !native(c) && (c.model->capabilities & needed) != needed;
            });
            if (candidates.empty())
                return api::feature_not_supported(messages.model(), "tools, images, documents or streaming", "model");
        }
    }
    const config::Config &config = *runtime.config;
    auto endpoint = std::make_unique<MessagesEndpoint>(std::move(messages), std::move(chat),
                                                       std::string(request.header("anthropic-version")),
                                                       split_betas(request.header("anthropic-beta")), config,
                                                       request.observed);
    return EndpointPlan{std::move(endpoint), std::move(candidates)};
}

} // namespace

std::variant<EndpointPlan, api::ApiError> plan_messages_endpoint(EndpointRequest &request) {
    return plan(request, false);
}

std::variant<EndpointPlan, api::ApiError> plan_count_tokens_endpoint(EndpointRequest &request) {
    return plan(request, true);
}

MessagesEndpoint::MessagesEndpoint(api::MessagesRequest request, std::optional<api::ChatRequest> chat,
                                   std::string anthropic_version, std::vector<std::string> betas,
                                   const config::Config &config, metrics::RequestObservation &observed)
    : request_(std::move(request)), chat_(std::move(chat)), version_(std::move(anthropic_version)), betas_(std::move(betas)), config_(config),
      observed_(observed) {
    for (const auto &b : betas_) beta_views_.push_back(str(b));
}

boost::asio::awaitable<std::optional<api::ApiError>>
MessagesEndpoint::before_prepare(const router::Candidate &candidate, transport::AsyncExchange &exchange,
                                 std::chrono::steady_clock::time_point deadline) {
    // A native candidate gets the client's body as it is.
    if (native(candidate) || !chat_) co_return std::nullopt;
    co_return co_await inline_media(*chat_, candidate, exchange, config_.media_fetch, deadline);
}

router::Prepared MessagesEndpoint::prepare(const router::Candidate &candidate) {
    std::unique_ptr<plugins::UpstreamCall> call;
    router::Prepared prepared;
    if (!native(candidate)) {
        chat_->set_upstream_model(candidate.model->upstream_id);
        prepared.failure = candidate.provider->prepare(chat_->view(), call);
        if (call) prepared.call = std::make_unique<router::PluginCall>(std::move(call));
        return prepared;
    }
    helix_messages_request r{};
    r.struct_size = sizeof r;
    r.action = request_.count_tokens() ? HELIX_MESSAGES_COUNT_TOKENS : HELIX_MESSAGES_CREATE;
    r.model = str(candidate.model->upstream_id);
    r.body = str(request_.body());
    r.stream = request_.stream() ? 1 : 0;
    r.anthropic_version = str(version_);
    r.anthropic_beta = beta_views_.data();
    r.anthropic_beta_count = beta_views_.size();
    prepared.failure = candidate.provider->prepare_messages(r, call);
    if (call) prepared.call = std::make_unique<router::PluginCall>(std::move(call));
    return prepared;
}

std::unique_ptr<router::ReplyEncoder> MessagesEndpoint::encoder(const router::Candidate &candidate) {
    if (!native(candidate)) return std::make_unique<TranslatedEncoder>(request_, config_, candidate, observed_);
    return std::make_unique<MessagesEncoder>(request_, config_, candidate, observed_);
}

} // namespace helix::http
