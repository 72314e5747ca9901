#include "tools/cloudsim/bedrock_embeddings.hpp"

#include "tools/cloudsim/aws_credentials.hpp"
#include "tools/cloudsim/embedding_vectors.hpp"
#include "tools/cloudsim/reply_generator.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <initializer_list>

namespace helix::cloudsim::bedrock {

namespace {

namespace json = boost::json;

constexpr std::size_t kCohereMaxTexts = 96;
constexpr std::size_t kCohereMaxChars = 2048;

ApiError malformed(const std::string &detail) {
    return validation_error("Malformed input request: " + detail + ", please reformat your input and try again.");
}

bool only_keys(const json::object &o, std::initializer_list<std::string_view> keys, ApiError &error) {
    for (const auto &m : o)
        if (std::find(keys.begin(), keys.end(), std::string_view(m.key())) == keys.end()) {
            error = malformed("#: extraneous key [" + std::string(m.key()) + "] is not permitted");
            return false;
        }
    return true;
}

json::array values_of(const std::vector<float> &v) {
    json::array a;
    a.reserve(v.size());
    for (const float x : v) a.push_back(static_cast<double>(x));
    return a;
}

std::optional<EmbeddingsReply> titan(std::string_view model, const json::object &o, ApiError &error) {
    const bool v2 = model.find("titan-embed-text-v2") != std::string_view::npos;
    if (v2 ? !only_keys(o, {"inputText", "dimensions", "normalize", "embeddingTypes"}, error)
           : !only_keys(o, {"inputText"}, error))
        return std::nullopt;
    const json::value *text = o.if_contains("inputText");
    if (text == nullptr) {
        error = malformed("#: required key [inputText] not found");
        return std::nullopt;
    }
    if (!text->is_string()) {
        error = malformed("#/inputText: expected type: String, found: " + std::string(text->is_array() ? "JSONArray" : "other"));
        return std::nullopt;
    }
    if (text->get_string().empty()) {
        error = malformed("#/inputText: expected minLength: 1, actual: 0");
        return std::nullopt;
    }
    std::size_t size = v2 ? 1024 : 1536;
    if (const json::value *d = o.if_contains("dimensions")) {
        if (!d->is_int64() || (d->get_int64() != 256 && d->get_int64() != 512 && d->get_int64() != 1024)) {
            error = malformed("#/dimensions: " + json::serialize(*d) + " is not a valid enum value");
            return std::nullopt;
        }
        size = static_cast<std::size_t>(d->get_int64());
    }
    EmbeddingsReply r;
    r.first_text = std::string(text->get_string());
    r.input_tokens = count_tokens(r.first_text);
    const std::vector<float> v = sim_embedding(r.first_text, size);
    json::object reply{{"embedding", values_of(v)}, {"inputTextTokenCount", r.input_tokens}};
    if (v2) reply["embeddingsByType"] = json::object{{"float", values_of(v)}};
    r.body = json::serialize(reply);
    return r;
}

std::optional<EmbeddingsReply> cohere(const json::object &o, ApiError &error) {
    if (!only_keys(o, {"texts", "input_type", "truncate", "embedding_types", "images"}, error)) return std::nullopt;
    const json::value *texts = o.if_contains("texts");
    if (texts == nullptr) {
        error = malformed("#: required key [texts] not found");
        return std::nullopt;
    }
    const json::array *list = texts->if_array();
    if (list == nullptr || list->empty()) {
        error = malformed("#/texts: expected minItems: 1, actual: 0");
        return std::nullopt;
    }
    if (list->size() > kCohereMaxTexts) {
        error = malformed("#/texts: expected maxItems: 96, actual: " + std::to_string(list->size()));
        return std::nullopt;
    }
    const json::value *type = o.if_contains("input_type");
    if (type == nullptr) {
        error = malformed("#: required key [input_type] not found");
        return std::nullopt;
    }
    const std::string_view t = type->is_string() ? std::string_view(type->get_string()) : std::string_view();
    if (t != "search_document" && t != "search_query" && t != "classification" && t != "clustering") {
        error = malformed("#/input_type: " + json::serialize(*type) + " is not a valid enum value");
        return std::nullopt;
    }
    bool by_type = false;
    if (const json::value *types = o.if_contains("embedding_types")) {
        const json::array *a = types->if_array();
        if (a == nullptr || a->empty() || std::any_of(a->begin(), a->end(), [](const json::value &v) {
                return !v.is_string() || v.get_string() != "float";
            })) {
            error = malformed("#/embedding_types: the simulator serves [\"float\"] only");
            return std::nullopt;
        }
        by_type = true;
    }
    EmbeddingsReply r;
    json::array vectors, echoed;
    for (std::size_t i = 0; i < list->size(); ++i) {
        const json::value &item = (*list)[i];
        if (!item.is_string()) {
            error = malformed("#/texts/" + std::to_string(i) + ": expected type: String");
            return std::nullopt;
        }
        const std::string_view text = item.get_string();
        if (text.size() > kCohereMaxChars) {
            error = malformed("#/texts/" + std::to_string(i) + ": expected maxLength: 2048, actual: " +
                              std::to_string(text.size()));
            return std::nullopt;
        }
        if (i == 0) r.first_text = std::string(text);
        r.input_tokens += count_tokens(text);
        vectors.push_back(values_of(sim_embedding(text, 1024)));
        echoed.push_back(json::string(text));
    }
    json::object reply{{"id", aws_credentials::random_uuid()}, {"texts", std::move(echoed)}};
    if (by_type) {
        reply["embeddings"] = json::object{{"float", std::move(vectors)}};
        reply["response_type"] = "embeddings_by_type";
    } else {
        reply["embeddings"] = std::move(vectors);
        reply["response_type"] = "embeddings_floats";
    }
    r.body = json::serialize(reply);
    return r;
}

} // namespace

bool is_embedding_model(std::string_view model_id) {
    return model_id.find("amazon.titan-embed-text") != std::string_view::npos ||
           model_id.find("cohere.embed-") != std::string_view::npos;
}

std::optional<EmbeddingsReply> embeddings_reply(std::string_view model_id, std::string_view body, ApiError &error) {
    boost::system::error_code ec;
    const json::value v = json::parse(body, ec);
    if (ec || !v.is_object()) {
        error = malformed("#: expected a JSON object");
        return std::nullopt;
    }
    if (model_id.find("cohere.embed-") != std::string_view::npos) return cohere(v.get_object(), error);
    return titan(model_id, v.get_object(), error);
}

} // namespace helix::cloudsim::bedrock
