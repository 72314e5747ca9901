#include "tools/cloudsim/vertex_claude.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>

namespace helix::cloudsim::vertex {

namespace json = boost::json;

bool is_claude_model(std::string_view model) { return model.starts_with("claude-"); }

std::optional<anthropic::MessagesRequest> parse_raw_predict(std::string_view body, std::string_view model,
                                                            anthropic::ApiError &error) {
    static constexpr std::array<std::string_view, 13> kAccepted{
        "anthropic_version", "messages", "max_tokens", "system", "metadata", "stop_sequences", "stream",
        "temperature",       "top_p",    "top_k",      "tools",  "tool_choice", "thinking"};
    boost::system::error_code ec;
    json::value doc = json::parse(body, ec);
    if (ec || !doc.is_object()) {
        error = {400, "invalid_request_error", "There was an error parsing the body of your request: it is not a JSON object"};
        return std::nullopt;
    }
    json::object &root = doc.get_object();
    for (const auto &member : root)
        if (std::find(kAccepted.begin(), kAccepted.end(), member.key()) == kAccepted.end()) {
            error = {400, "invalid_request_error", std::string(member.key()) + ": Extra inputs are not permitted"};
            return std::nullopt;
        }
    const json::value *version = root.if_contains("anthropic_version");
    if (version == nullptr) {
        error = {400, "invalid_request_error", "anthropic_version: Field required"};
        return std::nullopt;
    }
    if (!version->is_string() || version->get_string() != kClaudeVersion) {
        error = {400, "invalid_request_error",
                 "anthropic_version: Input should be '" + std::string(kClaudeVersion) + "'"};
        return std::nullopt;
    }
    root.erase("anthropic_version");
    root["model"] = json::string(model);
    auto request = anthropic::parse_messages_request(json::serialize(root), error);
    if (request)
        for (const auto &m : request->prompt.media)
            if (m.contains("uri")) { // Claude on Vertex takes bytes only
                error = {400, "invalid_request_error",
                         "URL and file sources are not supported on Vertex AI: send the " +
                             std::string(m.at("kind").as_string().c_str()) + " as base64"};
                return std::nullopt;
            }
    return request;
}

} // namespace helix::cloudsim::vertex
