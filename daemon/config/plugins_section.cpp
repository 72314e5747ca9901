#include "daemon/config/sections.hpp"

#include "daemon/config/plugin_settings.hpp"
#include "daemon/config/settings_json.hpp"
#include "daemon/config/syntax.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <optional>

namespace helix::config {
namespace {

namespace fs = std::filesystem;

// bare name -> <plugin_dir>/lib<name>.so; "x.so" -> <plugin_dir>/x.so;
// a path (absolute, or relative to the YAML file) is used as is.
std::string resolve_library(const SectionReader &r, const std::string &library, const std::string &plugin_dir) {
    const fs::path path{library};
    if (path.is_absolute()) {
        return path.lexically_normal().string();
    }
    if (library.find('/') != std::string::npos) {
        return r.resolve(library).string();
    }
    const bool has_suffix = library.ends_with(".so") || library.find(".so.") != std::string::npos;
    const std::string file = has_suffix ? library : "lib" + library + ".so";
    return (fs::path{plugin_dir} / file).lexically_normal().string();
}

void read_plugin(SectionReader &r, const std::string &name, const YAML::Node &key_node, const YAML::Node &value,
                 Config &config, PluginNames &names) {
    LoadContext &ctx = r.ctx();
    const int line = LoadContext::line_of(key_node);
    if (!is_provider_name(name)) {
        ctx.report(line, "plugins: invalid provider name '" + name + "' (expected [a-z0-9][a-z0-9-]*)");
        return;
    }
    // Declared even if its fields are wrong, so providers lists do not add
    // a second, misleading "not declared" error.
    names.declared.insert(name);
    const std::string section = "plugins." + name;
    const Entries e = r.collect(key_node, value, section, {"library", "enabled", "timeout", "connect_timeout", "settings", "http2", "limits"});

    bool optional = false;
    if (const Entry *entry = SectionReader::find(e, "enabled")) {
        if (const auto flag = r.scalar(*entry, section + ".enabled", "enabled")) {
            if (flag->text == "auto") {
                optional = true;
            } else if (is_false(flag->text)) {
                // Declared but not loaded: the rest is not read, so a disabled
                // provider's missing credentials cannot fail the whole file.
                names.disabled.insert(name);
                return;
            } else if (!is_true(flag->text)) {
                r.bad_value(*flag, section + ".enabled", "true, false or auto");
            }
        }
    }

    ProviderConfig provider;
    provider.name = name;
    provider.optional = optional;
    provider.source = ctx.file() + ":" + std::to_string(line);
    // The in-tree naming: aws-bedrock -> helix_aws_bedrock.
    std::string library = "helix_" + name;
    std::replace(library.begin(), library.end(), '-', '_');
    if (const Entry *entry = SectionReader::find(e, "library")) {
        if (const auto value_read = r.scalar(*entry, section + ".library", "library")) {
            if (value_read->text.empty()) {
                ctx.report(value_read->line, section + ".library: must not be empty");
            } else {
                library = value_read->text;
            }
        }
    }
    provider.library_path = resolve_library(r, library, config.plugin_dir);
    r.read(e, section, "timeout", provider.timeout, duration(false));
    r.read(e, section, "connect_timeout", provider.connect_timeout, duration(false));
    r.read(e, section, "http2", provider.http2, one_of({"off", "auto", "on"}));
    if (const Entry *entry = SectionReader::find(e, "limits"))
        if (const auto limits = read_provider_limits(r, *entry, section + ".limits")) provider.limits = *limits;
    const Entry *settings_entry = SectionReader::find(e, "settings");
    if (r.schemas() != nullptr) {
        // The plugin is loaded now, from plugin_dir, so that its own table
        // checks its settings and names its variables (plugin_settings.hpp).
        std::optional<PluginSchema> schema;
        try {
            schema = r.schemas()->schema(provider.library_path);
        } catch (const std::exception &error) {
            ctx.report(line, section + ": " + error.what());
        }
        if (schema) {
            provider.library = schema->library;
            const Entry none;
            const Entry &s = settings_entry != nullptr ? *settings_entry : none;
            read_settings_by_schema(ctx, s.key, s.value, section, line, *schema, provider);
            config.providers.push_back(std::move(provider));
            return;
        }
    }
    boost::json::object settings;
    if (settings_entry != nullptr) {
        settings = settings_to_json(ctx, settings_entry->key, settings_entry->value, section + ".settings");
    }
    provider.settings_json = serialize_secret(settings);
    config.providers.push_back(std::move(provider));
}

} // namespace

void read_plugin_dir_section(SectionReader &r, const Entry &section, std::string &plugin_dir) {
    const auto value = r.scalar(section, "plugin_dir", "plugin_dir");
    if (!value) {
        return;
    }
    if (value->text.empty()) {
        r.ctx().report(value->line, "plugin_dir: must not be empty");
        return;
    }
    plugin_dir = r.resolve(value->text).string();
}

void read_plugins_section(SectionReader &r, const Entry &section, Config &config, PluginNames &names) {
    r.ctx().for_each_free_entry(section.key, section.value, "plugins",
                                [&](const std::string &name, const YAML::Node &key_node, const YAML::Node &value) {
                                    read_plugin(r, name, key_node, value, config, names);
                                });
}

} // namespace helix::config
