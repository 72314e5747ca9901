#include "daemon/router/plugin_schemas.hpp"

namespace helix::router {
namespace {

config::SettingType type_of(std::uint32_t type) {
    switch (type) {
    case HELIX_SETTING_INTEGER: return config::SettingType::Integer;
    case HELIX_SETTING_NUMBER: return config::SettingType::Number;
    case HELIX_SETTING_BOOLEAN: return config::SettingType::Boolean;
    case HELIX_SETTING_DURATION: return config::SettingType::Duration;
    case HELIX_SETTING_LIST: return config::SettingType::List;
    case HELIX_SETTING_MAP: return config::SettingType::Map;
    default: return config::SettingType::String; // the loader refused unknown types
    }
}

} // namespace

config::PluginSchema schema_of(const plugins::PluginLibraryPtr &library) {
    config::PluginSchema schema;
    schema.plugin = library->name();
    schema.library = library;
    const helix_plugin_descriptor &d = library->descriptor();
    for (std::size_t i = 0; i < d.setting_count; ++i) {
        const helix_setting &s = *d.settings[i]; // checked at load: present, named, typed
        config::SettingSpec spec;
        spec.name = s.name;
        spec.type = type_of(s.type);
        spec.secret = (s.flags & HELIX_SETTING_SECRET) != 0;
        spec.host_option = (s.flags & HELIX_SETTING_HOST_OPTION) != 0;
        spec.required = (s.flags & HELIX_SETTING_REQUIRED) != 0;
        if (s.default_value != nullptr) spec.default_value = s.default_value;
        if (s.description != nullptr) spec.description = s.description;
        for (const char *const *name = s.env; name != nullptr && *name != nullptr; ++name) spec.env.emplace_back(*name);
        if (s.env_provider != nullptr) spec.env_provider = s.env_provider;
        schema.settings.push_back(std::move(spec));
    }
    return schema;
}

config::PluginSchema LibrarySchemas::schema(const std::string &library_path) {
    return schema_of(libraries_.get(library_path));
}

} // namespace helix::router
