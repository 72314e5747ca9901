#include "daemon/router/runtime.hpp"

#include "daemon/plugins/plugin_file_check.hpp"

#include <set>

namespace helix::router {

const plugins::ProviderInstance *Runtime::find_provider(const std::string &name) const {
    for (const auto &p : providers)
        if (p->name() == name) return p.get();
    return nullptr;
}

plugins::PluginLibraryPtr LibraryCache::get(const std::string &path) {
    plugins::check_plugin_file(path); // each time: a reload sees a file made writable since
    std::lock_guard lock(mutex_);
    auto &slot = libraries_[path];
    if (!slot) slot = plugins::PluginLibrary::load(path);
    return slot;
}

RuntimePtr build_runtime(config::ConfigPtr config, LibraryCache &libraries,
                         std::shared_ptr<plugins::SideRequestClient> side_requests) {
    auto runtime = std::make_shared<Runtime>();
    std::set<std::string> skipped;
    for (const auto &provider : config->providers) {
        auto library = libraries.get(provider.library_path);
        try {
            runtime->providers.push_back(
                plugins::ProviderInstance::create(provider.name, library, provider.settings_json, side_requests));
        } catch (const plugins::PluginLoadError &e) {
            if (!provider.optional) throw;
            runtime->skipped_providers.emplace_back(provider.name, e.what());
            skipped.insert(provider.name);
        }
    }
    // An alias that points nowhere would only fail at request time: refuse it now.
    for (const auto &alias : config->aliases)
        for (const auto &target : alias.targets) {
            const auto slash = target.find('/');
            const auto *provider = runtime->find_provider(target.substr(0, slash));
            if (provider == nullptr && skipped.count(target.substr(0, slash)) != 0) continue; // routed elsewhere
            if (provider == nullptr || provider->find_model(target.substr(slash + 1)) == nullptr)
                throw plugins::PluginLoadError(alias.source + ": alias '" + alias.name + "': provider '" +
                                               target.substr(0, slash) + "' has no model '" +
                                               target.substr(slash + 1) + "' (GET /v1/models lists them)");
        }
    runtime->client_keys = std::make_shared<const ClientKeys>(config->api_keys);
    runtime->config = std::move(config);
    return runtime;
}

std::vector<std::string> check_plugins(const config::Config &config, LibraryCache &libraries,
                                       std::vector<std::string> &skipped) {
    std::vector<std::string> problems;
    for (const auto &provider : config.providers) {
        try {
            const auto library = libraries.get(provider.library_path);
            const auto validate = library->descriptor().validate_config;
            if (validate == nullptr) continue;
            helix_error err{};
            err.struct_size = sizeof err;
            const helix_str json{provider.settings_json.data(), provider.settings_json.size()};
            if (validate(json, &err) != HELIX_OK)
                (provider.optional ? skipped : problems)
                    .push_back(provider.source + ": provider '" + provider.name + "' settings: " + plugins::error_message(err));
        } catch (const plugins::PluginLoadError &e) {
            problems.push_back(provider.source + ": provider '" + provider.name + "': " + e.what());
        }
    }
    return problems;
}

} // namespace helix::router
