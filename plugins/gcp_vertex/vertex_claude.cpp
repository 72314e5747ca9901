#include "plugins/gcp_vertex/vertex_claude.hpp"

#include "plugins/anthropic/anthropic_messages.hpp"
#include "plugins/anthropic/anthropic_request.hpp"
#include "plugins/common/messages_fields.hpp"

#include <boost/json.hpp>

namespace helix::gcp_vertex {

namespace {

namespace json = boost::json;
using helix::sdk::Error;
using helix::sdk::view;

// What Vertex wants instead of Anthropic's API: no model in the body (it is
// in the URL), its own anthropic_version, the method by stream.
void address(const Settings &settings, std::string_view model, json::object body, bool stream,
             helix::sdk::HttpRequest &out) {
    body.erase("model");
    if (stream) body["stream"] = true;
    else body.erase("stream");
    body["anthropic_version"] = kVertexAnthropicVersion;
    out.body = json::serialize(body);
    out.url = settings.model_url(model, stream ? "streamRawPredict" : "rawPredict", "anthropic");
}

} // namespace

bool is_claude_model(std::string_view model) noexcept { return model.starts_with("claude-"); }

void build_claude_chat_request(const Settings &settings, const helix_chat_request &request,
                               helix::sdk::HttpRequest &out) {
    address(settings, view(request.model), helix::anthropic::messages_body(request, helix::anthropic::kDefaultMaxTokens),
            request.stream != 0, out);
}

void build_claude_messages_request(const Settings &settings, const helix_messages_request &request,
                                   helix::sdk::HttpRequest &out) {
    if (request.action != HELIX_MESSAGES_CREATE)
        throw Error(HELIX_ERR_NOT_SUPPORTED, "Vertex counts no Claude tokens here", 400, 0, "unsupported_operation");
    address(settings, view(request.model),
            helix::plugin_common::messages_body_for(view(request.body), helix::plugin_common::MessagesUpstream::vertex,
                                                    settings.fields),
            request.stream != 0, out);
}

void add_claude_betas(const helix_messages_request &request, helix::sdk::HttpRequest &out) {
    std::string betas;
    for (const auto &b : helix::anthropic::merged_betas(request, {})) betas += (betas.empty() ? "" : ",") + b;
    if (!betas.empty()) out.add_header("anthropic-beta", betas);
}

} // namespace helix::gcp_vertex
