#pragma once
// A provider's `settings:` block read by its plugin's settings table: every
// key must be in the table and of its type (reported at the key's line), the
// table's environment variables fill keys (and host options such as
// `timeout`) over the file, and a required key still missing is reported, or,
// for an `enabled: auto` provider, makes it skipped with that reason.

#include "daemon/config/config.hpp"
#include "daemon/config/load_context.hpp"
#include "daemon/config/plugin_schema.hpp"

#include <boost/json/object.hpp>

#include <string>

namespace helix::config {

// `settings` is the provider's `settings:` entry (key and value), or null
// nodes when there is none; `section` is "plugins.<name>", declared at
// `line`. Fills
// provider.settings_json, and provider.timeout / provider.unusable as the
// table and the environment say.
void read_settings_by_schema(LoadContext &ctx, const YAML::Node &key, const YAML::Node &value,
                             const std::string &section, int line, const PluginSchema &schema,
                             ProviderConfig &provider);

} // namespace helix::config
