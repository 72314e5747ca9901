#include "daemon/http/responses_endpoint.hpp"

#include "daemon/api/responses_builder.hpp"
#include "daemon/api/responses_request.hpp"
#include "daemon/http/translated_endpoint.hpp"

namespace helix::http {

namespace {

class ResponsesEncoder final : public TranslatedEncoder {
public:
    ResponsesEncoder(const api::ResponsesRequest &request, const config::Config &config,
                     const router::Candidate &candidate, metrics::RequestObservation &observed,
                     audit::AccessRecord *content_log)
        : TranslatedEncoder(request.chat.stream(), config, candidate, observed, content_log),
          builder_(id_suffix(), unix_seconds(), std::string(request.chat.model()), request.echoed,
                   request.chat.stream()) {}

    void add(const helix_event &event, std::vector<std::string> &events) override {
        log_text(event);
        builder_.add(event, events);
    }
    std::string finish(std::vector<std::string> &events, router::ReplyWriter &reply) override {
        return finish_builder(builder_, events, reply);
    }
    void failed(const api::ApiError &error, std::vector<std::string> &events) override {
        builder_.failed(error, events);
    }
    bool done_marker() const override { return false; } // a Responses stream ends with response.completed

private:
    api::ResponsesBuilder builder_;
};

} // namespace

std::variant<EndpointPlan, api::ApiError> plan_responses_endpoint(EndpointRequest &request) {
    return plan_translated<ResponsesEncoder>(request, api::parse_responses_request(std::move(request.body)));
}

Reply stored_response_reply(const RouteRequest &) {
    api::ApiError e = client_error(400, "unsupported_parameter",
                                   "Responses are not stored by this gateway (it is stateless: 'store' is accepted "
                                   "and ignored), so they cannot be retrieved by id. Keep the response you received.");
    e.param = "response_id";
    return error_reply(e);
}

} // namespace helix::http
