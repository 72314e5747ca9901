#include "daemon/config/env_expand.hpp"

#include <unistd.h>

namespace helix::config {
namespace {

bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

bool is_valid_name(std::string_view name) {
    if (name.empty() || !is_name_start(name.front())) {
        return false;
    }
    for (const char c : name) {
        if (!is_name_char(c)) {
            return false;
        }
    }
    return true;
}

Expansion failure(std::string message) {
    Expansion result;
    result.ok = false;
    result.error = std::move(message);
    return result;
}

} // namespace

Environment process_environment() {
    Environment env;
    for (char **entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string_view text{*entry};
        const auto eq = text.find('=');
        if (eq == std::string_view::npos || eq == 0) {
            continue;
        }
        env.emplace(std::string{text.substr(0, eq)}, std::string{text.substr(eq + 1)});
    }
    return env;
}

Expansion expand_env(std::string_view text, const Environment &env) {
    Expansion result;
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c != '$' || i + 1 >= text.size() || (text[i + 1] != '$' && text[i + 1] != '{')) {
            result.value.push_back(c);
            ++i;
            continue;
        }
        if (text[i + 1] == '$') {
            result.value.push_back('$');
            i += 2;
            continue;
        }
        // "${" at column i+1 (1-based columns are what editors show).
        const std::size_t column = i + 1;
        const std::size_t close = text.find('}', i + 2);
        if (close == std::string_view::npos) {
            return failure("unterminated '${' at column " + std::to_string(column));
        }
        const std::string_view body = text.substr(i + 2, close - (i + 2));
        if (body.empty()) {
            return failure("empty variable reference '${}' at column " + std::to_string(column));
        }
        std::string_view name = body;
        std::string_view fallback;
        bool has_default = false;
        if (const auto colon = body.find(':'); colon != std::string_view::npos) {
            if (body.substr(colon).substr(0, 2) != ":-") {
                return failure("unsupported operator in '${...}' at column " + std::to_string(column) +
                               " (only ${VAR} and ${VAR:-default} are supported)");
            }
            name = body.substr(0, colon);
            fallback = body.substr(colon + 2);
            has_default = true;
        }
        if (!is_valid_name(name)) {
            // The text is not echoed: a mistyped reference may hold a secret.
            return failure("invalid variable name in '${...}' at column " + std::to_string(column) +
                           " (expected [A-Za-z_][A-Za-z0-9_]*)");
        }
        if (fallback.find("${") != std::string_view::npos) {
            return failure("nested '${' in the default of ${" + std::string{name} + ":-...} is not supported");
        }
        const auto found = env.find(std::string{name});
        if (has_default) {
            if (found != env.end() && !found->second.empty()) {
                result.value += found->second;
                result.from_environment = true;
                result.variables.emplace_back(name);
            } else {
                result.value += fallback;
            }
        } else {
            if (found == env.end()) {
                return failure("environment variable '" + std::string{name} +
                               "' is not set (write ${" + std::string{name} + ":-default} to give a default)");
            }
            result.value += found->second;
            result.from_environment = true;
            result.variables.emplace_back(name);
        }
        i = close + 1;
    }
    return result;
}

} // namespace helix::config
