#include "daemon/config/sections.hpp"

#include "daemon/config/syntax.hpp"

#include <map>
#include <vector>

namespace helix::config {
namespace {

// One name in providers.primary / providers.fallback.
struct ListedProvider {
    std::string name;
    std::string shown; // for messages: quoted, or hidden if it came from the environment
    int line = 0;
};

std::vector<ListedProvider> read_provider_list(SectionReader &r, const Entry &entry, const std::string &path) {
    std::vector<ListedProvider> names;
    if (entry.value.IsNull()) {
        return names;
    }
    if (!entry.value.IsSequence()) {
        r.ctx().report(LoadContext::value_line(entry.key, entry.value),
                       path + ": expected a list of provider names, got " +
                           std::string{LoadContext::kind_of(entry.value)});
        return names;
    }
    for (const YAML::Node &item : entry.value) {
        if (const auto value = r.ctx().item(item, path, false)) {
            if (!is_provider_name(value->text)) {
                r.bad_value(*value, path, "a provider name ([a-z0-9][a-z0-9-]*)");
                continue;
            }
            names.push_back(ListedProvider{value->text, value->shown(), value->line});
        }
    }
    return names;
}

// A listed provider must be declared, enabled and listed once.
bool check_listed(LoadContext &ctx, const ListedProvider &p, const std::string &path, const PluginNames &plugins,
                  std::map<std::string, int> &seen) {
    if (const auto [first, inserted] = seen.emplace(p.name, p.line); !inserted) {
        ctx.report(p.line, path + ": provider " + p.shown + " is listed twice (first at line " +
                               std::to_string(first->second) + ")");
        return false;
    }
    if (plugins.disabled.contains(p.name)) {
        ctx.report(p.line,
                   path + ": provider " + p.shown + " is disabled (plugins." + p.name + ".enabled is false)");
        return false;
    }
    if (!plugins.declared.contains(p.name)) {
        ctx.report(p.line, path + ": provider " + p.shown + " is not declared under 'plugins'");
        return false;
    }
    return true;
}

} // namespace

void read_providers_section(SectionReader &r, const Entry &section, const PluginNames &plugins, Config &config) {
    const Entries e = r.collect(section.key, section.value, "providers", {"primary", "fallback"});
    std::vector<ListedProvider> primary;
    std::vector<ListedProvider> fallback;
    if (const Entry *entry = SectionReader::find(e, "primary")) {
        primary = read_provider_list(r, *entry, "providers.primary");
    }
    if (const Entry *entry = SectionReader::find(e, "fallback")) {
        fallback = read_provider_list(r, *entry, "providers.fallback");
    }
    std::map<std::string, int> in_primary;
    for (const ListedProvider &p : primary) {
        if (check_listed(r.ctx(), p, "providers.primary", plugins, in_primary)) {
            config.primary.push_back(p.name);
        }
    }
    std::map<std::string, int> in_fallback;
    for (const ListedProvider &p : fallback) {
        if (const auto found = in_primary.find(p.name); found != in_primary.end()) {
            r.ctx().report(p.line, "providers.fallback: provider " + p.shown +
                                       " is already in providers.primary (line " + std::to_string(found->second) +
                                       "); list each provider once");
            continue;
        }
        if (check_listed(r.ctx(), p, "providers.fallback", plugins, in_fallback)) {
            config.fallback.push_back(p.name);
        }
    }
}

} // namespace helix::config
