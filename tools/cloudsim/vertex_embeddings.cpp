#include "tools/cloudsim/vertex_embeddings.hpp"

#include "tools/cloudsim/embedding_vectors.hpp"
#include "tools/cloudsim/reply_generator.hpp"

#include <boost/json.hpp>

namespace helix::cloudsim::vertex {

namespace {
namespace json = boost::json;
} // namespace

std::optional<std::size_t> embedding_size(std::string_view model) {
    if (model == "text-embedding-005") return 768;
    if (model == "gemini-embedding-001") return 3072;
    return std::nullopt;
}

std::optional<EmbeddingsReply> embeddings_reply(std::string_view model, std::string_view body, ApiError &error) {
    const std::size_t size = embedding_size(model).value_or(768);
    const std::size_t max_instances = model == "gemini-embedding-001" ? 1 : 250;
    boost::system::error_code ec;
    const json::value doc = json::parse(body, ec);
    if (ec || !doc.is_object()) {
        error = invalid_argument("Invalid JSON payload received. Expected an object.");
        return std::nullopt;
    }
    const json::object &o = doc.get_object();
    const json::array *instances = o.contains("instances") ? o.at("instances").if_array() : nullptr;
    if (instances == nullptr || instances->empty()) {
        error = invalid_argument("Invalid instances: the request needs at least one instance.");
        return std::nullopt;
    }
    if (instances->size() > max_instances) {
        error = invalid_argument("Unable to submit request because the model " + std::string(model) + " supports " +
                                 std::to_string(max_instances) + " instance(s) per request, but " +
                                 std::to_string(instances->size()) + " were sent.");
        return std::nullopt;
    }
    std::size_t dims = size;
    if (const json::value *p = o.if_contains("parameters"); p != nullptr && p->is_object()) {
        if (const json::value *d = p->get_object().if_contains("outputDimensionality")) {
            if (!d->is_int64() || d->get_int64() < 1 || static_cast<std::size_t>(d->get_int64()) > size) {
                error = invalid_argument("Invalid value for outputDimensionality: " + json::serialize(*d) +
                                         ". It must be between 1 and " + std::to_string(size) + " for " +
                                         std::string(model) + ".");
                return std::nullopt;
            }
            dims = static_cast<std::size_t>(d->get_int64());
        }
    }
    EmbeddingsReply r;
    json::array predictions;
    std::size_t characters = 0;
    for (std::size_t i = 0; i < instances->size(); ++i) {
        const json::object *in = (*instances)[i].if_object();
        const json::value *content = in != nullptr ? in->if_contains("content") : nullptr;
        if (content == nullptr || !content->is_string() || content->get_string().empty()) {
            error = invalid_argument("Invalid instances[" + std::to_string(i) +
                                     "]: \"content\" must be a non-empty string.");
            return std::nullopt;
        }
        const std::string_view text = content->get_string();
        if (i == 0) r.first_text = std::string(text);
        characters += text.size();
        json::array values;
        for (const float x : sim_embedding(text, dims)) values.push_back(static_cast<double>(x));
        predictions.push_back(json::object{
            {"embeddings", json::object{{"values", std::move(values)},
                                        {"statistics", json::object{{"token_count", count_tokens(text)},
                                                                    {"truncated", false}}}}}});
    }
    r.body = json::serialize(json::object{{"predictions", std::move(predictions)},
                                          {"metadata", json::object{{"billableCharacterCount", characters}}}});
    return r;
}

} // namespace helix::cloudsim::vertex
