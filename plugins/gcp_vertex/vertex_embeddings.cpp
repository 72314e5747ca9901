#include "plugins/gcp_vertex/vertex_embeddings.hpp"

#include "plugins/common/embeddings.hpp"
#include "plugins/common/json_access.hpp"
#include "plugins/gcp_vertex/google_error.hpp"

#include <boost/json.hpp>

namespace helix::gcp_vertex {

namespace {
namespace json = boost::json;
namespace pj = helix::plugin_common::json;
using helix::plugin_common::throw_protocol_error;
} // namespace

std::string embeddings_body(const helix_embeddings_request &request) {
    json::array instances;
    for (const std::string_view text : helix::plugin_common::text_inputs(request, "Vertex AI"))
        instances.push_back(json::object{{"content", text}});
    json::object body{{"instances", std::move(instances)}};
    if (request.dimensions > 0) body["parameters"] = json::object{{"outputDimensionality", request.dimensions}};
    return json::serialize(body);
}

void EmbeddingsCall::on_sse_event(const helix::plugin_common::SseEvent &, helix::sdk::EventSink &) {
    throw_protocol_error("the upstream answered :predict with an event stream");
}

void EmbeddingsCall::on_stream_end(helix::sdk::EventSink &) {
    throw_protocol_error("the upstream answered :predict with an event stream");
}

void EmbeddingsCall::on_json_body(const json::value &body, helix::sdk::EventSink &events) {
    const json::object *o = body.if_object();
    const json::array *predictions = o != nullptr ? pj::array_member(*o, "predictions") : nullptr;
    if (predictions == nullptr) throw_protocol_error("the upstream's :predict response has no \"predictions\" list");
    if (predictions->size() != inputs_)
        throw_protocol_error("the upstream's :predict response has " + std::to_string(predictions->size()) +
                             " predictions for " + std::to_string(inputs_) + " instances");
    std::int64_t tokens = 0;
    for (std::size_t i = 0; i < predictions->size(); ++i) {
        const std::string at = "predictions[" + std::to_string(i) + "].embeddings";
        const json::object *p = (*predictions)[i].if_object();
        const json::object *e = p != nullptr ? pj::object_member(*p, "embeddings") : nullptr;
        const json::value *values = e != nullptr ? e->if_contains("values") : nullptr;
        if (values == nullptr) throw_protocol_error("the upstream's " + at + " has no values");
        if (!events.embedding(static_cast<std::uint32_t>(i), helix::plugin_common::read_embedding(*values, at + ".values")))
            return;
        if (const json::object *stats = pj::object_member(*e, "statistics"))
            tokens = helix::sdk::saturating_add(tokens, pj::int_or_zero(*stats, "token_count"));
    }
    events.usage(tokens, 0);
}

helix::sdk::Error EmbeddingsCall::on_error_body(const helix::plugin_common::ResponseInfo &info, std::string_view body) {
    return google_http_error(info, body, secret_);
}

} // namespace helix::gcp_vertex
