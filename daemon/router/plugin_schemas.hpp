#pragma once
// The configuration loader's view of the plugins: a PluginSchemaSource that
// loads a provider's library through the process's LibraryCache (with the
// file check) and hands over its settings table. The loaded library rides
// along in the PluginSchema, so build_runtime() creates the instance from the
// very library whose table checked its settings.

#include "daemon/config/plugin_schema.hpp"
#include "daemon/plugins/plugin_library.hpp"
#include "daemon/router/runtime.hpp"

namespace helix::router {

// A plugin's table in the loader's terms.
config::PluginSchema schema_of(const plugins::PluginLibraryPtr &library);

class LibrarySchemas final : public config::PluginSchemaSource {
public:
    explicit LibrarySchemas(LibraryCache &libraries) : libraries_(libraries) {}
    config::PluginSchema schema(const std::string &library_path) override; // throws PluginLoadError

private:
    LibraryCache &libraries_;
};

} // namespace helix::router
