#pragma once
// A plugin's settings table as the configuration loader uses it, and where
// the loader gets it from. The loader does not open plugin libraries itself
// (that is the plugins layer's job); whoever loads the configuration for the
// daemon passes a PluginSchemaSource that loads the library a provider names
// and reads its table, so that a provider's `settings:` block is checked, filled
// from the environment and marked secret by the plugin that will run it.

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace helix::config {

enum class SettingType { String, Integer, Number, Boolean, Duration, List, Map };

// One row of a plugin's settings table (helix_setting in the plugin ABI).
struct SettingSpec {
    std::string name;
    SettingType type = SettingType::String;
    bool secret = false;      // never echoed in a message; redacted wherever it could show
    bool host_option = false; // not a key of settings: but the provider's host option of that name ("timeout")
    bool required = false;    // the provider cannot run without it
    std::optional<std::string> default_value;
    std::string description;
    std::vector<std::string> env; // variables that set it, the first set and non-empty wins
    std::string env_provider;     // ... for the provider instance of this name only
};

struct PluginSchema {
    std::string plugin; // the plugin's own name, e.g. "openai"
    std::vector<SettingSpec> settings;
    // The loaded library the table came from, kept alive with the provider's
    // configuration so that the library whose table checked the settings is
    // the one that serves them. Opaque here; the source's layer reads it.
    std::shared_ptr<const void> library;

    const SettingSpec *find(const std::string &name) const {
        for (const SettingSpec &s : settings)
            if (s.name == name) return &s;
        return nullptr;
    }
};

// The name of a setting type as messages and --describe show it.
const char *setting_type_name(SettingType type) noexcept;

class PluginSchemaSource {
public:
    virtual ~PluginSchemaSource() = default;
    // The table of the plugin library at `library_path`, loading it if need
    // be. Throws std::exception with a one-line reason naming the file.
    virtual PluginSchema schema(const std::string &library_path) = 0;
};

} // namespace helix::config
