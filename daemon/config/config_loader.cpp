#include "daemon/config/config_loader.hpp"

#include "daemon/config/env_overrides.hpp"
#include "daemon/config/load_context.hpp"
#include "daemon/config/sections.hpp"
#include "daemon/config/yaml_document.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

namespace helix::config {
namespace {

namespace fs = std::filesystem;

// The top level: a map of sections, each handed to its reader (sections.hpp).
// Sections are read in dependency order (plugin_dir before plugins before
// api_keys, providers and aliases), whatever their order in the file.
void read_root(SectionReader &reader, const YAML::Node &root, Config &config) {
    if (!root.IsNull() && !root.IsMap()) {
        reader.ctx().report(LoadContext::line_of(root, 1),
                            "the file must be a map of sections, got " + std::string{LoadContext::kind_of(root)});
        return;
    }
    const Entries sections =
        reader.collect(root, root, "", {"server", "upstream", "router", "log", "metrics", "media_fetch", "api_keys",
                                        "plugin_dir", "plugins", "providers", "aliases", "prices", "lifecycle",
                                        "scores_file", "shared_state"});
    const auto section = [&](const std::string &name) { return SectionReader::find(sections, name); };
    PluginNames plugins;
    if (const Entry *s = section("server")) read_server_section(reader, *s, config.server);
    if (const Entry *s = section("upstream")) read_upstream_section(reader, *s, config.upstream);
    if (const Entry *s = section("router")) read_router_section(reader, *s, config.router);
    if (const Entry *s = section("log")) read_log_section(reader, *s, config.log);
    if (const Entry *s = section("metrics")) read_metrics_section(reader, *s, config.metrics);
    if (const Entry *s = section("media_fetch")) read_media_fetch_section(reader, *s, config.media_fetch);
    if (const Entry *s = section("shared_state")) read_shared_state_section(reader, *s, config.shared_state);
    if (const Entry *s = section("plugin_dir")) read_plugin_dir_section(reader, *s, config.plugin_dir);
    if (const Entry *s = section("plugins")) read_plugins_section(reader, *s, config, plugins);
    if (const Entry *s = section("api_keys")) read_api_keys_section(reader, *s, config);
    if (const Entry *s = section("providers")) read_providers_section(reader, *s, plugins, config);
    if (const Entry *s = section("aliases")) read_aliases_section(reader, *s, config);
    if (const Entry *s = section("prices")) read_prices_section(reader, *s, config);
    if (const Entry *s = section("lifecycle")) read_lifecycle_section(reader, *s, config);
    if (const Entry *s = section("scores_file")) read_scores_file_section(reader, *s, config);
}

ConfigPtr load(std::string_view yaml, const std::string &source, const fs::path &base_dir, const Environment &env,
               PluginSchemaSource *schemas) {
    LoadContext ctx(source, env);
    Config config;
    config.source_file = source;
    config.plugin_dir = std::string{kDefaultPluginDir};
    SectionReader reader(ctx, base_dir, schemas);
    read_root(reader, parse_single_document(yaml, ctx), config);
    apply_env_overrides(config, ctx.env(), ctx);

    std::vector<ConfigIssue> issues = ctx.take_issues();
    if (!issues.empty()) {
        // File order first, then the environment's (line 0) problems.
        std::stable_sort(issues.begin(), issues.end(), [](const ConfigIssue &a, const ConfigIssue &b) {
            return (a.line > 0 ? a.line : INT_MAX) < (b.line > 0 ? b.line : INT_MAX);
        });
        throw ConfigError(std::move(issues));
    }
    return std::make_shared<const Config>(std::move(config));
}

fs::path absolute_dir(const std::string &dir) {
    std::error_code error;
    fs::path path = dir.empty() ? fs::current_path(error) : fs::absolute(dir, error);
    return error ? fs::path{dir} : path.lexically_normal();
}

} // namespace

ConfigPtr load_config_from_string(std::string_view yaml, const std::string &source_name, const std::string &base_dir,
                                  const Environment &env, PluginSchemaSource *schemas) {
    return load(yaml, source_name, absolute_dir(base_dir), env, schemas);
}

ConfigPtr load_config(const std::string &path, const Environment &env, PluginSchemaSource *schemas) {
    std::error_code error;
    fs::path file = fs::absolute(path, error);
    if (error) {
        file = path;
    }
    file = file.lexically_normal();
    const std::string name = file.string();
    if (fs::is_directory(file, error)) {
        throw ConfigError({ConfigIssue{name, 0, "cannot read the configuration: it is a directory"}});
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        const std::string reason = std::error_code{errno, std::generic_category()}.message();
        throw ConfigError({ConfigIssue{name, 0, "cannot read the configuration: " + reason}});
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        throw ConfigError({ConfigIssue{name, 0, "cannot read the configuration: read error"}});
    }
    return load_config_from_string(text.str(), name, file.parent_path().string(), env, schemas);
}

} // namespace helix::config
