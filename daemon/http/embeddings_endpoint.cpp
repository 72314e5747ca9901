#include "daemon/http/embeddings_endpoint.hpp"

#include "daemon/api/embeddings_builder.hpp"
#include "daemon/api/errors.hpp"
#include "daemon/http/chat_endpoint.hpp"
#include "daemon/router/embedding_parts.hpp"

#include <Poco/String.h>

#include <algorithm>
#include <cstdio>

namespace helix::http {

namespace {

// 400: the model exists but none of its candidates can embed.
api::ApiError cannot_embed(std::string_view model) {
    return api::invalid_request("The model '" + std::string(model) +
                                    "' does not create embeddings (it serves POST /v1/chat/completions). GET "
                                    "/v1/models lists the endpoints each model serves.",
                                "model", "unsupported_model");
}

class EmbeddingsEncoder final : public router::ReplyEncoder {
public:
    EmbeddingsEncoder(const api::EmbeddingsRequest &request, const config::Config &config,
                      const router::Candidate &candidate, metrics::RequestObservation &observed)
        : builder_(std::string(request.model()), request.base64()), config_(config), candidate_(candidate),
          observed_(observed) {}

    void add(const helix_event &event, std::vector<std::string> &) override { builder_.add(event); }

    std::string finish(std::vector<std::string> &, router::ReplyWriter &reply) override {
        const std::int64_t prompt = builder_.usage().prompt_tokens;
        const auto cost = router::estimated_cost(config_, candidate_, prompt, 0);
        observed_.usage(candidate_.provider->name(), candidate_.model->id, prompt, 0, cost);
        if (cost) {
            char text[32];
            std::snprintf(text, sizeof text, "%.6f", *cost);
            reply.set_header("x-helix-cost-usd", text);
        }
        return builder_.build();
    }

private:
    api::EmbeddingsBuilder builder_;
    const config::Config &config_;
    const router::Candidate candidate_;
    metrics::RequestObservation &observed_;
};

} // namespace

std::variant<EmbeddingsPlan, api::ApiError> plan_embeddings(const router::Runtime &runtime, std::string body,
                                                            std::string_view priority,
                                                            const router::ClientIdentity *client,
                                                            audit::AccessRecord &record) {
    auto parsed = api::parse_embeddings_request(std::move(body));
    if (auto *error = std::get_if<api::ApiError>(&parsed)) return std::move(*error);
    api::EmbeddingsRequest &request = std::get<api::EmbeddingsRequest>(parsed);
    record.model_asked = request.model();
    if (runtime.config->log.access_content) record.request_body = request.body();

    const bool low = Poco::toLower(std::string(priority)) == "low";
    auto candidates =
        router::candidates_for(runtime, request.model(), low ? router::Priority::low : router::Priority::critical);
    if (candidates.empty()) return api::model_not_found(request.model());
    if (client != nullptr && client->scoped()) {
        std::erase_if(candidates, [&](const router::Candidate &c) {
            return !client->allows(request.model(), c.provider->name(), c.model->id);
        });
        if (candidates.empty()) return model_not_allowed(*client, request.model());
    }
    std::erase_if(candidates,
                  [](const router::Candidate &c) { return (c.model->capabilities & HELIX_MODEL_EMBEDDINGS) == 0; });
    if (candidates.empty()) return cannot_embed(request.model());
    return EmbeddingsPlan{std::move(request), std::move(candidates)};
}

std::variant<EndpointPlan, api::ApiError> plan_embeddings_endpoint(EndpointRequest &request) {
    auto planned = plan_embeddings(request.runtime, std::move(request.body), request.priority, request.client,
                                   request.record);
    if (auto *error = std::get_if<api::ApiError>(&planned)) return std::move(*error);
    EmbeddingsPlan &plan = std::get<EmbeddingsPlan>(planned);
    return EndpointPlan{
        std::make_unique<EmbeddingsEndpoint>(std::move(plan.request), *request.runtime.config, request.observed),
        std::move(plan.candidates)};
}

router::Prepared EmbeddingsEndpoint::prepare(const router::Candidate &candidate) {
    const plugins::ProviderInstance &provider = *candidate.provider;
    const std::string &upstream = candidate.model->upstream_id;
    return router::EmbeddingPartsCall::start(
        request_.input_count(), candidate.model->max_embedding_inputs,
        [this, &provider, &upstream](std::size_t first, std::size_t count) {
            const helix_embeddings_request part = request_.view(upstream, first, count);
            std::unique_ptr<plugins::UpstreamCall> call;
            router::Prepared prepared;
            prepared.failure = provider.prepare_embeddings(part, call);
            if (call) prepared.call = std::make_unique<router::PluginCall>(std::move(call));
            return prepared;
        });
}

std::unique_ptr<router::ReplyEncoder> EmbeddingsEndpoint::encoder(const router::Candidate &candidate) {
    return std::make_unique<EmbeddingsEncoder>(request_, config_, candidate, observed_);
}

} // namespace helix::http
