#include "plugins/aws_bedrock/bedrock_messages.hpp"

#include "plugins/aws_common/sigv4.hpp"
#include "plugins/common/json_access.hpp"
#include "plugins/common/messages_fields.hpp"
#include "plugins/common/upstream_error.hpp"

#include <boost/json.hpp>

namespace helix::aws_bedrock {

namespace json = boost::json;
namespace pj = helix::plugin_common::json;
using helix::sdk::Error;
using helix::sdk::view;

void build_messages_request(const Settings &settings, const helix_messages_request &request,
                            helix::sdk::HttpRequest &out) {
    if (request.action != HELIX_MESSAGES_CREATE)
        throw Error(HELIX_ERR_NOT_SUPPORTED, "Bedrock counts no tokens here", 400, 0, "unsupported_operation");
    // Only what InvokeModel accepts (it refuses "model", "stream" and any unknown key).
    json::object o = helix::plugin_common::messages_body_for(
        view(request.body), helix::plugin_common::MessagesUpstream::bedrock, settings.fields);
    o["anthropic_version"] = kBedrockAnthropicVersion;
    json::array betas;
    for (std::size_t i = 0; i < request.anthropic_beta_count; ++i) betas.push_back(json::string(view(request.anthropic_beta[i])));
    if (!betas.empty()) o["anthropic_beta"] = std::move(betas);
    const bool stream = request.stream != 0;
    out.method = "POST";
    out.url = settings.endpoint + "/model/" +
              helix::aws::uri_encode(upstream_model_id(view(request.model)), false) +
              (stream ? "/invoke-with-response-stream" : "/invoke");
    out.headers.clear();
    out.add_header("content-type", "application/json");
    out.add_header("accept", stream ? "application/vnd.amazon.eventstream" : "application/json");
    out.body = json::serialize(o);
    out.streaming_response = stream;
}

helix::plugin_common::MessagesRelay::ErrorHandler messages_error_handler() {
    return [](const json::value *error) {
        helix::plugin_common::UpstreamErrorDetail d;
        if (const json::object *e = error != nullptr ? error->if_object() : nullptr) {
            d.message = std::string(pj::string_or_empty(*e, "message"));
            d.code = std::string(pj::string_or_empty(*e, "type"));
        }
        if (d.message.empty()) d.message = "the upstream reported an error in its stream";
        const bool transient = d.code == "overloaded_error" || d.code == "api_error" || d.code == "rate_limit_error";
        throw helix::plugin_common::make_error(transient ? HELIX_ERR_RETRY : HELIX_ERR_UPSTREAM, transient ? 503 : 502,
                                               0, d, {});
    };
}

} // namespace helix::aws_bedrock
