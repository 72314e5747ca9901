#include "daemon/config/env_overrides.hpp"

#include "daemon/config/syntax.hpp"

#include <algorithm>
#include <optional>
#include <set>

namespace helix::config {
namespace {

std::optional<std::string_view> lookup(const Environment &env, std::string_view name) {
    const auto found = env.find(std::string{name});
    if (found == env.end() || found->second.empty()) {
        return std::nullopt;
    }
    return std::string_view{found->second};
}

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

void apply_api_keys(Config &config, std::string_view value, LoadContext &ctx) {
    std::vector<ApiKey> keys;
    std::set<std::string_view> seen;
    std::size_t position = 0;
    std::size_t item = 0; // 1-based position among non-empty items, for messages
    bool ok = true;
    while (position <= value.size()) {
        const auto comma = std::min(value.find(',', position), value.size());
        const std::string_view key = trim(value.substr(position, comma - position));
        position = comma + 1;
        if (key.empty()) {
            continue; // "a,,b" and a trailing comma are harmless
        }
        ++item;
        if (!seen.insert(key).second) {
            ctx.report_environment(std::string{kApiKeysVariable} + ": key #" + std::to_string(item) +
                                   " repeats an earlier key");
            ok = false;
            continue;
        }
        keys.push_back(ApiKey{"env-" + std::to_string(keys.size() + 1), digest_of_key(key), {}, {}});
    }
    // Only separators and blanks: as good as unset, rather than locking every client out.
    if (ok && !keys.empty()) {
        // Replaced, not merged: say so, since the file's keys may have had scopes.
        if (!config.api_keys.empty())
            config.notices.push_back(std::string{kApiKeysVariable} + " replaces the " +
                                     std::to_string(config.api_keys.size()) +
                                     " api_keys of the file: their names and scopes do not apply");
        config.api_keys = std::move(keys);
        config.key_limits.clear();
    }
}

} // namespace

void apply_env_overrides(Config &config, const Environment &env, LoadContext &ctx) {
    if (const auto listen = lookup(env, kListenVariable)) {
        if (is_listen_address(*listen)) {
            config.server.listen_address = std::string{*listen};
        } else {
            ctx.report_environment(std::string{kListenVariable} +
                                   ": expected an IPv4/IPv6 address or a host name (value not shown)");
        }
    }
    if (const auto port = lookup(env, kPortVariable)) {
        if (const auto parsed = parse_port(*port)) {
            config.server.port = *parsed;
        } else {
            ctx.report_environment(std::string{kPortVariable} + ": expected a port number 0..65535 (value not shown)");
        }
    }
    if (const auto keys = lookup(env, kApiKeysVariable)) {
        apply_api_keys(config, *keys, ctx);
    }
}

} // namespace helix::config
