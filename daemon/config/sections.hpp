#pragma once
// One reader per top-level section of the YAML file, each in its own
// <section>_section.cpp. config_loader.cpp calls them in dependency order
// (plugin_dir before plugins before api_keys, providers and aliases).
// Each reads only its own section into `config` and reports problems to
// the reader's LoadContext.

#include "daemon/config/config.hpp"
#include "daemon/config/section_reader.hpp"

#include <set>
#include <string>

namespace helix::config {

// Names under plugins:, for the providers: lists that refer to them.
struct PluginNames {
    std::set<std::string> declared; // every valid name, enabled or not
    std::set<std::string> disabled; // enabled: false
};

void read_server_section(SectionReader &reader, const Entry &section, ServerSettings &server);
void read_upstream_section(SectionReader &reader, const Entry &section, UpstreamSettings &upstream);
void read_router_section(SectionReader &reader, const Entry &section, RouterSettings &router);
void read_log_section(SectionReader &reader, const Entry &section, LogSettings &log);
void read_metrics_section(SectionReader &reader, const Entry &section, MetricsSettings &metrics);
// media_fetch: {enabled, timeout, max_bytes, max_urls, max_redirects, allow_hosts, private_hosts}.
void read_media_fetch_section(SectionReader &reader, const Entry &section, MediaFetchSettings &media);
// shared_state: {redis: {url, user, password, tls, ca_file, cert_file, key_file, server_name, timeout, replicas}}.
void read_shared_state_section(SectionReader &reader, const Entry &section, SharedStateSettings &shared);
// plugin_dir: a directory relative to the YAML file.
void read_plugin_dir_section(SectionReader &reader, const Entry &section, std::string &plugin_dir);
// plugins: {name: {library, enabled, timeout, connect_timeout, settings}} -> config.providers.
void read_plugins_section(SectionReader &reader, const Entry &section, Config &config, PluginNames &names);
// api_keys: after plugins, since a key's providers: scope names them.
void read_api_keys_section(SectionReader &reader, const Entry &section, Config &config);
// A key's `limits:` map (rpm, tpm, window, max_concurrent, daily_usd,
// monthly_usd, on_store_failure, models: {name: {...}}), and a provider's
// (rpm, tpm, window); nullopt (reported) when anything in it is wrong.
std::optional<KeyLimits> read_key_limits(SectionReader &reader, const Entry &entry, const std::string &path);
std::optional<Limits> read_provider_limits(SectionReader &reader, const Entry &entry, const std::string &path);
// providers: {primary, fallback} -> config.primary, config.fallback.
void read_providers_section(SectionReader &reader, const Entry &section, const PluginNames &names, Config &config);
// aliases: {name: provider/model | [provider/model, ...]}.
void read_aliases_section(SectionReader &reader, const Entry &section, Config &config);
// prices: {provider/model: {input, output, cache_read, cache_write}} in USD per 1K tokens.
void read_prices_section(SectionReader &reader, const Entry &section, Config &config);
// lifecycle: {provider/model: {legacy, end_of_life, successor, successor_from}}.
void read_lifecycle_section(SectionReader &reader, const Entry &section, Config &config);
// scores_file: a YAML file of provider/model: score, read now.
void read_scores_file_section(SectionReader &reader, const Entry &section, Config &config);

} // namespace helix::config
