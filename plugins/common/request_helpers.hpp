#pragma once
// Small helpers every request translator needs: Boost.JSON views of ABI
// strings, and the two ways prepare() refuses a request, naming the field.

#include <helixagent/plugin.hpp>

#include <boost/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace helix::plugin_common {

inline boost::json::string_view jv(std::string_view v) { return boost::json::string_view(v.data(), v.size()); }
inline boost::json::string_view jv(helix_str s) { return jv(helix::sdk::view(s)); }

// The request cannot be expressed for this provider (400, code invalid_value).
[[noreturn]] inline void invalid(std::string message, std::string param) {
    throw helix::sdk::Error(HELIX_ERR_INVALID_REQUEST, std::move(message), 400, 0, "invalid_value", std::move(param));
}

// The provider lacks what the request needs (400, code unsupported_parameter);
// the router may try another provider.
[[noreturn]] inline void unsupported(std::string message, std::string param) {
    throw helix::sdk::Error(HELIX_ERR_NOT_SUPPORTED, std::move(message), 400, 0, "unsupported_parameter",
                            std::move(param));
}

// A JSON text the client sent inside a string (tool arguments, a schema),
// parsed with the project's depth limit; invalid() naming `param` if it is
// not JSON. `what` says what was expected.
boost::json::value parse_client_json(std::string_view text, const std::string &param, std::string_view what);

// "messages[3]": the param path of a message.
inline std::string message_path(std::size_t i) { return "messages[" + std::to_string(i) + "]"; }
// "messages[3].content[1]": the param path of one part of a message's content.
inline std::string part_path(std::size_t message, std::size_t part) {
    return message_path(message) + ".content[" + std::to_string(part) + "]";
}

// One turn of a conversation in a provider's shape. Anthropic, Bedrock and
// Gemini want the roles to alternate, so append_turn() merges consecutive
// messages of one role into one turn (parallel tool results share a turn);
// an empty message adds nothing.
struct Turn {
    const char *role;
    boost::json::array blocks;
};

inline void append_turn(std::vector<Turn> &turns, const char *role, boost::json::array blocks) {
    if (blocks.empty()) return;
    if (!turns.empty() && std::string_view(turns.back().role) == role) {
        for (auto &b : blocks) turns.back().blocks.push_back(std::move(b));
    } else {
        turns.push_back(Turn{role, std::move(blocks)});
    }
}

// Not empty and not only whitespace (providers refuse blank text blocks).
inline bool has_text(std::string_view s) { return s.find_first_not_of(" \t\r\n") != std::string_view::npos; }

} // namespace helix::plugin_common
