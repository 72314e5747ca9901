#include "plugins/aws_bedrock/bedrock_embeddings.hpp"

#include "plugins/aws_common/sigv4.hpp"
#include "plugins/common/embeddings.hpp"
#include "plugins/common/json_access.hpp"
#include "plugins/common/response_decoder.hpp"

#include <boost/json.hpp>

namespace helix::aws_bedrock {

namespace {

namespace json = boost::json;
namespace pj = helix::plugin_common::json;
using helix::plugin_common::throw_protocol_error;
using helix::sdk::Error;

constexpr std::size_t kCohereMaxTextChars = 2048;

[[noreturn]] void invalid(std::string message, std::string param) {
    throw Error(HELIX_ERR_INVALID_REQUEST, std::move(message), 400, 0, "invalid_value", std::move(param));
}

// The client's "input_type" (a Cohere extension), or search_document.
std::string cohere_input_type(const helix_embeddings_request &r) {
    const std::string_view body = helix::sdk::view(r.original_body);
    if (body.empty()) return "search_document";
    boost::system::error_code ec;
    const json::value v = json::parse(body, ec);
    const json::object *o = ec ? nullptr : v.if_object();
    const json::value *t = o != nullptr ? o->if_contains("input_type") : nullptr;
    if (t == nullptr || t->is_null()) return "search_document";
    const std::string_view type = t->is_string() ? std::string_view(t->get_string()) : std::string_view();
    if (type != "search_document" && type != "search_query" && type != "classification" && type != "clustering")
        invalid("input_type must be search_document, search_query, classification or clustering", "input_type");
    return std::string(type);
}

std::string titan_body(std::string_view model, const helix_embeddings_request &r,
                       const std::vector<std::string_view> &texts) {
    if (texts.size() != 1) throw Error(HELIX_ERR_INTERNAL, "Titan embeds one text per call; the host splits batches");
    json::object body{{"inputText", texts.front()}, {"normalize", true}};
    if (r.dimensions > 0) {
        if (model.find("titan-embed-text-v2") == std::string_view::npos)
            invalid(std::string(model) + " has a fixed size; leave dimensions out", "dimensions");
        if (r.dimensions != 256 && r.dimensions != 512 && r.dimensions != 1024)
            invalid(std::string(model) + " takes dimensions 256, 512 or 1024, not " + std::to_string(r.dimensions),
                    "dimensions");
        body["dimensions"] = r.dimensions;
    }
    return json::serialize(body);
}

std::string cohere_body(std::string_view model, const helix_embeddings_request &r,
                        const std::vector<std::string_view> &texts) {
    if (r.dimensions > 0 && r.dimensions != 1024)
        invalid(std::string(model) + " returns 1024 dimensions; leave dimensions out", "dimensions");
    json::array list;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        if (texts[i].size() > kCohereMaxTextChars)
            invalid("Cohere Embed takes texts of at most 2048 characters", "input");
        list.push_back(json::string(texts[i]));
    }
    return json::serialize(json::object{{"texts", std::move(list)},
                                        {"input_type", cohere_input_type(r)},
                                        {"embedding_types", json::array{"float"}}});
}

} // namespace

EmbeddingFamily embedding_family(std::string_view id) noexcept {
    if (id.find("amazon.titan-embed-text") != std::string_view::npos) return EmbeddingFamily::titan;
    if (id.find("cohere.embed-") != std::string_view::npos) return EmbeddingFamily::cohere;
    return EmbeddingFamily::none;
}

void build_embeddings_request(const Settings &settings, const helix_embeddings_request &r,
                              helix::sdk::HttpRequest &out) {
    const std::string_view model = upstream_model_id(helix::sdk::view(r.model));
    const std::vector<std::string_view> texts = helix::plugin_common::text_inputs(r, "Bedrock");
    switch (embedding_family(model)) {
    case EmbeddingFamily::titan: out.body = titan_body(model, r, texts); break;
    case EmbeddingFamily::cohere: out.body = cohere_body(model, r, texts); break;
    case EmbeddingFamily::none:
        throw Error(HELIX_ERR_NOT_SUPPORTED,
                    std::string(model) + " is not an embeddings model this provider knows (Titan Text Embeddings, "
                                         "Cohere Embed)",
                    400, 0, "unsupported_model", "model");
    }
    out.method = "POST";
    out.url = settings.endpoint + "/model/" + helix::aws::uri_encode(model, false) + "/invoke";
    out.streaming_response = false;
    out.headers.clear();
}

void decode_embeddings(EmbeddingFamily family, const json::value &body, std::int64_t input_tokens,
                       std::size_t inputs, helix::sdk::EventSink &events) {
    const json::object *o = body.if_object();
    if (o == nullptr) throw_protocol_error("the upstream's InvokeModel response is not a JSON object");
    if (family == EmbeddingFamily::titan) {
        const json::value *e = o->if_contains("embedding");
        if (e == nullptr) throw_protocol_error("the upstream's Titan response has no \"embedding\"");
        if (!events.embedding(0, helix::plugin_common::read_embedding(*e, "embedding"))) return;
        const auto count = pj::int_member(*o, "inputTextTokenCount");
        events.usage(count ? *count : std::max<std::int64_t>(input_tokens, 0), 0);
        return;
    }
    // Cohere: embeddings_by_type {"float": [[...]]}, or the older bare list.
    const json::value *e = o->if_contains("embeddings");
    const json::array *list = nullptr;
    if (e != nullptr && e->is_object()) list = pj::array_member(e->get_object(), "float");
    if (e != nullptr && e->is_array()) list = &e->get_array();
    if (list == nullptr) throw_protocol_error("the upstream's Cohere response has no \"embeddings\" list of floats");
    if (list->size() != inputs)
        throw_protocol_error("the upstream's Cohere response has " + std::to_string(list->size()) +
                             " embeddings for " + std::to_string(inputs) + " texts");
    for (std::size_t i = 0; i < list->size(); ++i)
        if (!events.embedding(static_cast<std::uint32_t>(i),
                              helix::plugin_common::read_embedding((*list)[i], "embeddings[" + std::to_string(i) + "]")))
            return;
    if (input_tokens >= 0) events.usage(input_tokens, 0);
}

} // namespace helix::aws_bedrock
