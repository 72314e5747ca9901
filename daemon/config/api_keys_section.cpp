#include "daemon/config/sections.hpp"

#include "daemon/config/syntax.hpp"

#include <openssl/crypto.h>

#include <map>
#include <vector>

namespace helix::config {
namespace {

// A key's models: or providers: list. Providers must be declared, enabled plugins.
std::optional<std::vector<std::string>> read_scope_list(SectionReader &r, const Entry &entry, const std::string &path,
                                                        bool providers, const Config &config) {
    LoadContext &ctx = r.ctx();
    if (!entry.value.IsSequence() || entry.value.size() == 0) {
        ctx.report(LoadContext::value_line(entry.key, entry.value),
                   path + ": expected a non-empty list of " + (providers ? "provider" : "model") + " names");
        return std::nullopt;
    }
    std::vector<std::string> names;
    bool ok = true;
    std::size_t i = 0;
    for (const YAML::Node &item : entry.value) {
        const std::string where = path + "[" + std::to_string(i++) + "]";
        const auto value = ctx.item(item, where, false);
        if (!value) {
            ok = false;
        } else if (providers && config.find_provider(value->text) == nullptr) {
            ctx.report(value->line, where + ": provider " + value->shown() + " is not a declared, enabled plugin");
            ok = false;
        } else if (value->text.empty() || value->text.size() > 256) {
            r.bad_value(*value, where, "a model name as clients send it, or provider/model");
            ok = false;
        } else {
            names.push_back(value->text);
        }
    }
    if (!ok) return std::nullopt;
    return names;
}

} // namespace

void read_api_keys_section(SectionReader &r, const Entry &section, Config &config) {
    LoadContext &ctx = r.ctx();
    if (section.value.IsNull()) {
        return;
    }
    if (!section.value.IsSequence()) {
        ctx.report(LoadContext::value_line(section.key, section.value),
                   "'api_keys' must be a list, got " + std::string{LoadContext::kind_of(section.value)});
        return;
    }
    std::map<KeyDigest, int> key_lines;    // key digest -> line; only lines are ever shown
    std::map<std::string, int> name_lines; // name -> line
    std::size_t index = 0;
    for (const YAML::Node &item : section.value) {
        const std::string path = "api_keys[" + std::to_string(index) + "]";
        ++index;
        std::string name = "key-" + std::to_string(index);
        std::optional<Scalar> key;
        std::vector<std::string> models;
        std::vector<std::string> providers;
        KeyLimits limits;
        int name_line = LoadContext::line_of(item);
        if (item.IsMap()) {
            const Entries e = r.collect(item, item, path, {"name", "key", "models", "providers", "limits"});
            bool scope_ok = true;
            if (const Entry *entry = SectionReader::find(e, "models")) {
                const auto list = read_scope_list(r, *entry, path + ".models", false, config);
                scope_ok = list.has_value();
                if (list) models = *list;
            }
            if (const Entry *entry = SectionReader::find(e, "providers")) {
                const auto list = read_scope_list(r, *entry, path + ".providers", true, config);
                scope_ok = scope_ok && list.has_value();
                if (list) providers = *list;
            }
            if (const Entry *entry = SectionReader::find(e, "limits")) {
                const auto read = read_key_limits(r, *entry, path + ".limits");
                scope_ok = scope_ok && read.has_value();
                if (read) limits = *read;
            }
            if (!scope_ok) {
                continue;
            }
            if (const Entry *entry = SectionReader::find(e, "name")) {
                const auto value = r.scalar(*entry, path + ".name", "name");
                if (!value) {
                    continue;
                }
                if (!is_key_name(value->text)) {
                    r.bad_value(*value, path + ".name", "a name of 1-64 letters, digits, '.', '_' or '-'");
                    continue;
                }
                name = value->text;
                name_line = value->line;
            }
            const Entry *entry = SectionReader::find(e, "key");
            if (entry == nullptr) {
                ctx.report(LoadContext::line_of(item), path + ": missing 'key'");
                continue;
            }
            key = ctx.scalar(entry->key, entry->value, path + ".key", true);
        } else {
            key = ctx.item(item, path, true);
        }
        if (!key) {
            continue;
        }
        if (key->text.empty()) {
            continue; // ${HELIXAGENT_API_KEY:-} with the variable unset: no key, not an error
        }
        const KeyDigest digest = digest_of_key(key->text);
        OPENSSL_cleanse(key->text.data(), key->text.size()); // only the digest is kept
        if (const auto [first, inserted] = key_lines.emplace(digest, key->line); !inserted) {
            ctx.report(key->line, path + ": duplicate api key (the same key as at line " +
                                      std::to_string(first->second) + ")");
            continue;
        }
        if (const auto [first, inserted] = name_lines.emplace(name, name_line); !inserted) {
            ctx.report(name_line, path + ": duplicate api key name '" + name + "' (first at line " +
                                      std::to_string(first->second) + ")");
            continue;
        }
        if (limits.any()) config.key_limits[name] = std::move(limits);
        config.api_keys.push_back(ApiKey{name, digest, std::move(models), std::move(providers)});
    }
}

} // namespace helix::config
