#include "plugins/gcp_vertex/openai_endpoint.hpp"

#include "plugins/gcp_vertex/google_error.hpp"
#include "plugins/openai/openai_call.hpp"
#include "plugins/openai/openai_request.hpp"

#include <boost/json/parse.hpp>

namespace helix::gcp_vertex {

bool is_openai_endpoint_model(std::string_view model) noexcept {
    const auto slash = model.find('/');
    return slash != std::string_view::npos && slash > 0 && slash + 1 < model.size();
}

void build_openai_endpoint_request(const Settings &settings, const helix_chat_request &request,
                                   helix::sdk::HttpRequest &out) {
    if (settings.express_mode())
        throw helix::sdk::Error(HELIX_ERR_CONFIG,
                                "Vertex AI's express mode (an API key without settings.project_id) serves Google's "
                                "models only; " + std::string(helix::sdk::view(request.model)) +
                                    " needs settings.project_id (GCP_VERTEX_PROJECT_ID)");
    out.body = helix::openai::chat_body(request, settings.fields);
    out.url = settings.openai_endpoint_url();
}

helix::sdk::Error openai_endpoint_error(const helix::plugin_common::ResponseInfo &info, std::string_view body,
                                        std::string_view secret) {
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(body, ec);
    // Google's error names its status (OpenAI's has a type instead); a refused
    // token is the provider's credentials whatever the body says.
    const std::optional<GoogleError> google = ec ? std::nullopt : parse_google_error(v);
    if (info.status == 401 || (google && !google->status.empty())) return google_http_error(info, body, secret);
    return helix::openai::error_from_body(info, body, secret);
}

std::unique_ptr<helix::sdk::Call> make_openai_endpoint_call(helix::plugin_common::DecoderOptions options,
                                                            std::string secret) {
    return std::make_unique<helix::openai::OpenAiCall>(std::move(secret), std::move(options), openai_endpoint_error);
}

} // namespace helix::gcp_vertex
