#include "tools/cloudsim/vertex_openai.hpp"

#include <algorithm>
#include <array>

namespace helix::cloudsim::vertex {

bool is_maas_model(std::string_view model) {
    static constexpr std::array<std::string_view, 7> kServed{
        "meta/llama-4-maverick-17b-128e-instruct-maas", "meta/llama-4-scout-17b-16e-instruct-maas",
        "meta/llama-3.3-70b-instruct-maas",            "meta/llama-3.1-405b-instruct-maas",
        "meta/llama-3.1-70b-instruct-maas",            "meta/llama-3.1-8b-instruct-maas",
        "meta/llama-3.2-90b-vision-instruct-maas"};
    return std::find(kServed.begin(), kServed.end(), model) != kServed.end();
}

ModelPath maas_model_path(const OpenApiPath &at, std::string_view model) {
    ModelPath path;
    path.version = at.version;
    path.project = at.project;
    path.location = at.location;
    const auto slash = model.find('/');
    path.publisher = std::string(model.substr(0, slash));
    path.model = slash == std::string_view::npos ? std::string() : std::string(model.substr(slash + 1));
    path.method = "chatCompletions";
    return path;
}

std::optional<ApiError> check_maas_model(const OpenApiPath &at, std::string_view model) {
    if (is_maas_model(model)) return std::nullopt;
    const auto slash = model.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == model.size())
        return invalid_argument("Invalid model: '" + std::string(model) +
                                "'. The model must be given as {publisher}/{model}, e.g. "
                                "meta/llama-3.3-70b-instruct-maas.");
    return model_not_found(resource_name(maas_model_path(at, model)));
}

ApiError invalid_chat_request(const openai::ApiError &error) {
    ApiError e = invalid_argument(error.message);
    if (error.status == 413) e.message = "Request payload size exceeds the limit: 33554432 bytes.";
    return e;
}

} // namespace helix::cloudsim::vertex
