#include "daemon/http/completions_endpoint.hpp"

#include "daemon/api/completions_request.hpp"
#include "daemon/api/text_completion_builder.hpp"
#include "daemon/http/translated_endpoint.hpp"

#include <algorithm>

namespace helix::http {

namespace {

bool native(const router::Candidate &candidate) {
    return (candidate.model->capabilities & HELIX_MODEL_COMPLETIONS) != 0;
}

class CompletionsEncoder final : public TranslatedEncoder {
public:
    CompletionsEncoder(const api::CompletionsRequest &request, const config::Config &config,
                       const router::Candidate &candidate, metrics::RequestObservation &observed,
                       audit::AccessRecord *content_log)
        : TranslatedEncoder(request.chat.stream(), config, candidate, observed, content_log),
          builder_("cmpl-" + id_suffix(), unix_seconds(), std::string(request.chat.model()), request.chat.stream(),
                   request.chat.include_usage(), native(candidate) ? request.choices : 1) {}

    void add(const helix_event &event, std::vector<std::string> &events) override {
        log_text(event);
        builder_.add(event, events);
    }
    std::string finish(std::vector<std::string> &events, router::ReplyWriter &reply) override {
        return finish_builder(builder_, events, reply);
    }

private:
    api::TextCompletionBuilder builder_;
};

// A model that serves legacy completions itself (HELIX_MODEL_COMPLETIONS)
// gets the client's body (HELIX_OP_COMPLETIONS); every other one the chat
// request. Both answer with chat events, encoded alike.
class CompletionsEndpoint final : public TranslatedEndpoint<api::CompletionsRequest, CompletionsEncoder> {
public:
    using TranslatedEndpoint::TranslatedEndpoint;

    router::Prepared prepare(const router::Candidate &candidate) override {
        if (!native(candidate)) return TranslatedEndpoint::prepare(candidate);
        return prepare_chat(request_.chat, candidate, HELIX_OP_COMPLETIONS, request_.body);
    }
};

} // namespace

std::variant<EndpointPlan, api::ApiError> plan_completions_endpoint(EndpointRequest &request) {
    auto parsed = api::parse_completions_request(std::move(request.body));
    std::optional<api::ApiError> needs_native;
    std::size_t choices = 1;
    std::int64_t prompt_tokens = 0;
    if (auto *r = std::get_if<api::CompletionsRequest>(&parsed)) {
        needs_native = r->needs_native;
        choices = r->choices;
        prompt_tokens = r->prompt_tokens;
    }
    auto planned = plan_translated_with<CompletionsEndpoint>(request, std::move(parsed), /*legacy_completions=*/true);
    auto *plan = std::get_if<EndpointPlan>(&planned);
    if (plan == nullptr) return planned;
    // What only a legacy completions model gives (several prompts, echo, logprobs, ...) goes to those alone.
    if (needs_native) {
        std::erase_if(plan->candidates, [](const router::Candidate &c) { return !native(c); });
        if (plan->candidates.empty()) return std::move(*needs_native);
    }
    plan->input_tokens += prompt_tokens;
    plan->output_tokens *= static_cast<std::int64_t>(choices);
    return planned;
}

} // namespace helix::http
