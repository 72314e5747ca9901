#include "plugins/openai/openai_embeddings.hpp"

#include "plugins/common/embeddings.hpp"
#include "plugins/common/json_access.hpp"
#include "plugins/openai/openai_call.hpp"

#include <boost/json.hpp>

namespace helix::openai {

namespace {
namespace json = boost::json;
namespace pj = helix::plugin_common::json;
using helix::plugin_common::throw_protocol_error;
using helix::sdk::view;
} // namespace

std::string embeddings_body(const helix_embeddings_request &request) {
    json::array input;
    input.reserve(request.input_count);
    for (const helix_embedding_input &in : helix::sdk::items(request.inputs, request.input_count)) {
        if (in.tokens != nullptr) {
            json::array ids;
            ids.reserve(in.token_count);
            for (std::size_t i = 0; i < in.token_count; ++i) ids.push_back(in.tokens[i]);
            input.push_back(std::move(ids));
        } else {
            input.push_back(json::string(view(in.text)));
        }
    }
    json::object body{{"model", view(request.model)}, {"input", std::move(input)}, {"encoding_format", "float"}};
    if (request.dimensions > 0) body["dimensions"] = request.dimensions;
    if (request.user.len > 0) body["user"] = view(request.user);
    return json::serialize(body);
}

void EmbeddingsCall::on_sse_event(const helix::plugin_common::SseEvent &, helix::sdk::EventSink &) {
    throw_protocol_error("the upstream answered an embeddings request with an event stream");
}

void EmbeddingsCall::on_stream_end(helix::sdk::EventSink &) {
    throw_protocol_error("the upstream answered an embeddings request with an event stream");
}

void EmbeddingsCall::on_json_body(const json::value &body, helix::sdk::EventSink &events) {
    const json::object *o = body.if_object();
    if (o == nullptr) throw_protocol_error("the upstream's embeddings response is not a JSON object");
    const json::array *data = pj::array_member(*o, "data");
    if (data == nullptr) throw_protocol_error("the upstream's embeddings response has no \"data\" list");
    std::size_t position = 0;
    for (const json::value &item : *data) {
        const std::string at = "data[" + std::to_string(position) + "]";
        const json::object *e = item.if_object();
        if (e == nullptr || !e->contains("embedding")) throw_protocol_error("the upstream's " + at + " has no embedding");
        const auto index = pj::int_member(*e, "index").value_or(static_cast<std::int64_t>(position));
        if (index < 0 || index > UINT32_MAX) throw_protocol_error("the upstream's " + at + ".index is out of range");
        const std::vector<float> vector = helix::plugin_common::read_embedding(e->at("embedding"), at + ".embedding");
        if (!events.embedding(static_cast<std::uint32_t>(index), vector)) return;
        ++position;
    }
    if (const json::object *usage = pj::object_member(*o, "usage"))
        events.usage(pj::int_or_zero(*usage, "prompt_tokens"), 0);
}

helix::sdk::Error EmbeddingsCall::on_error_body(const helix::plugin_common::ResponseInfo &info, std::string_view body) {
    return error_from_body(info, body, secret_);
}

} // namespace helix::openai
