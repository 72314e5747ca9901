#include "plugins/aws_bedrock/shared_config.hpp"

#include <helixagent/plugin.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace helix::aws_bedrock {

namespace {

bool is_blank(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char &c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// The line up to its comment: '#' or ';' at the start or after whitespace.
std::string_view strip_comment(std::string_view line) noexcept {
    for (std::size_t i = 0; i < line.size(); ++i) {
        if ((line[i] == '#' || line[i] == ';') && (i == 0 || is_blank(line[i - 1]))) return line.substr(0, i);
    }
    return line;
}

// "[<prefix> name]" -> name (NAME may be quoted); nullopt for other sections.
std::optional<std::string> prefixed_section_name(std::string_view section, std::string_view prefix) {
    const std::size_t n = prefix.size();
    if (section.size() < n + 1 || section.substr(0, n) != prefix || !is_blank(section[n])) return std::nullopt;
    std::string_view name = trim(section.substr(n + 1));
    if (name.size() >= 2 && (name.front() == '"' || name.front() == '\'') && name.back() == name.front())
        name = trim(name.substr(1, name.size() - 2));
    if (name.empty()) return std::nullopt;
    return std::string(name);
}

// "[profile name]" in the config file -> name; "[default]" -> default;
// nullopt for sections that are not profiles.
std::optional<std::string> config_profile_name(std::string_view section) {
    if (section == "default") return std::string(section);
    return prefixed_section_name(section, "profile");
}

} // namespace

Profiles parse_shared_file(std::string_view text, SharedFileKind kind) {
    Profiles profiles;
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    ProfileValues *current = nullptr; // null: outside a profile section
    std::string sub_section;          // non-empty inside "key =" sub-properties
    while (!text.empty()) {
        const std::size_t eol = text.find('\n');
        std::string_view raw = text.substr(0, eol);
        text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
        if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
        const bool indented = !raw.empty() && (raw.front() == ' ' || raw.front() == '\t');
        const std::string_view line = trim(strip_comment(raw));
        if (line.empty()) continue;

        if (line.front() == '[' && line.back() == ']' && line.size() >= 2) {
            sub_section.clear();
            current = nullptr;
            const std::string_view section = trim(line.substr(1, line.size() - 2));
            if (section.empty()) continue;
            if (kind == SharedFileKind::config) {
                if (auto name = config_profile_name(section)) current = &profiles[*name];
            } else if (kind == SharedFileKind::sso_sessions) {
                if (auto name = prefixed_section_name(section, "sso-session")) current = &profiles[*name];
            } else {
                current = &profiles[std::string(section)];
            }
            continue;
        }
        if (current == nullptr) continue;
        const std::size_t eq = line.find('=');
        if (eq == std::string_view::npos || eq == 0) continue;
        const std::string key = lower(trim(line.substr(0, eq)));
        const std::string_view value = trim(line.substr(eq + 1));
        if (key.empty()) continue;
        if (value.empty()) {
            sub_section = key;
            continue;
        }
        if (!sub_section.empty() && !indented) sub_section.clear();
        (*current)[sub_section.empty() ? key : sub_section + "." + key] = std::string(value);
    }
    return profiles;
}

std::optional<ProfileValues> merge_profile(const Profiles *credentials, const Profiles *config, std::string_view name) {
    std::optional<ProfileValues> out;
    if (config != nullptr) {
        if (const auto it = config->find(name); it != config->end()) out = it->second;
    }
    if (credentials != nullptr) {
        if (const auto it = credentials->find(name); it != credentials->end()) {
            if (!out) out.emplace();
            for (const auto &[k, v] : it->second) (*out)[k] = v;
        }
    }
    return out;
}


} // namespace helix::aws_bedrock
