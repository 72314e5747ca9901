#pragma once
// POST /v1/embeddings as the attempt loop sees it (router/endpoint.hpp),
// whichever server core carries it: plan_embeddings() parses the body and
// lists the candidates that may serve it; EmbeddingsEndpoint makes each
// candidate's plugin calls (split into parts of the model's
// max_embedding_inputs, router/embedding_parts.hpp) and encodes the vectors
// as OpenAI's embeddings list (api/embeddings_builder.hpp).

#include "daemon/api/embeddings_request.hpp"
#include "daemon/audit/access_record.hpp"
#include "daemon/http/routes.hpp"
#include "daemon/metrics/metrics.hpp"
#include "daemon/router/client_keys.hpp"
#include "daemon/router/endpoint.hpp"
#include "daemon/router/runtime.hpp"

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace helix::http {

struct EmbeddingsPlan {
    api::EmbeddingsRequest request;
    std::vector<router::Candidate> candidates; // not empty; each serves embeddings
};

// The parsed request and who may serve it, or the error the client gets:
// a bad body (400 naming the field), an unknown model (404 model_not_found,
// as at OpenAI), one outside the key's scope (403), or a model that exists
// but cannot embed, such as a chat model or any Anthropic model (400
// unsupported_model, param "model"). `priority` is the X-Helix-Priority header.
std::variant<EmbeddingsPlan, api::ApiError> plan_embeddings(const router::Runtime &runtime, std::string body,
                                                            std::string_view priority,
                                                            const router::ClientIdentity *client,
                                                            audit::AccessRecord &record);

// The route table's handler: plan_embeddings(), and the endpoint owning the request.
std::variant<EndpointPlan, api::ApiError> plan_embeddings_endpoint(EndpointRequest &request);

class EmbeddingsEndpoint final : public router::Endpoint {
public:
    // `config` and `observed` outlive the endpoint.
    EmbeddingsEndpoint(api::EmbeddingsRequest request, const config::Config &config,
                       metrics::RequestObservation &observed)
        : request_(std::move(request)), config_(config), observed_(observed) {}

    bool streamed() const override { return false; }
    router::Prepared prepare(const router::Candidate &candidate) override;
    std::unique_ptr<router::ReplyEncoder> encoder(const router::Candidate &candidate) override;

private:
    api::EmbeddingsRequest request_;
    const config::Config &config_;
    metrics::RequestObservation &observed_;
};

} // namespace helix::http
