#include "daemon/http/completions_endpoint.hpp"

#include "daemon/api/completions_request.hpp"
#include "daemon/api/text_completion_builder.hpp"
#include "daemon/http/translated_endpoint.hpp"

namespace helix::http {

namespace {

class CompletionsEncoder final : public TranslatedEncoder {
public:
    CompletionsEncoder(const api::CompletionsRequest &request, const config::Config &config,
                       const router::Candidate &candidate, metrics::RequestObservation &observed,
                       audit::AccessRecord *content_log)
        : TranslatedEncoder(request.chat.stream(), config, candidate, observed, content_log),
          builder_("cmpl-" + id_suffix(), unix_seconds(), std::string(request.chat.model()), request.chat.stream(),
                   request.chat.include_usage()) {}

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

} // namespace

std::variant<EndpointPlan, api::ApiError> plan_completions_endpoint(EndpointRequest &request) {
    return plan_translated<CompletionsEncoder>(request, api::parse_completions_request(std::move(request.body)));
}

} // namespace helix::http
