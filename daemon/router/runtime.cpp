#include "daemon/router/runtime.hpp"

#include "daemon/plugins/plugin_file_check.hpp"
#include "daemon/plugins/secret_redactor.hpp"

#include <set>
#include <unistd.h>

namespace helix::router {

const plugins::ProviderInstance *Runtime::find_provider(const std::string &name) const {
    for (const auto &p : providers)
        if (p->name() == name) return p.get();
    return nullptr;
}

plugins::PluginLibraryPtr LibraryCache::get(const std::string &path) {
    // Each time: a reload sees a file made writable, or replaced, since.
    const plugins::CheckedPluginFile file = plugins::open_checked_plugin(path);
    const auto ns = [](const timespec &t) { return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec; };
    const Version version{path,
                          static_cast<std::uint64_t>(file.st.st_dev),
                          static_cast<std::uint64_t>(file.st.st_ino),
                          static_cast<std::int64_t>(file.st.st_size),
                          ns(file.st.st_mtim),
                          ns(file.st.st_ctim)};
    try {
        std::lock_guard lock(mutex_);
        std::erase_if(libraries_, [](const auto &entry) { return entry.second.expired(); });
        auto library = libraries_[version].lock();
        if (!library) {
            library = plugins::PluginLibrary::load(path, file.fd);
            libraries_[version] = library;
        }
        ::close(file.fd);
        return library;
    } catch (...) {
        ::close(file.fd);
        throw;
    }
}

namespace {

// The library the loader read the provider's settings table from (the same
// file it checked), else (a configuration loaded without plugins) the cache's.
plugins::PluginLibraryPtr library_of(const config::ProviderConfig &provider, LibraryCache &libraries) {
    if (provider.library) return std::static_pointer_cast<const plugins::PluginLibrary>(provider.library);
    return libraries.get(provider.library_path);
}

} // namespace

RuntimePtr build_runtime(config::ConfigPtr config, LibraryCache &libraries,
                         std::shared_ptr<plugins::SideRequestClient> side_requests) {
    auto runtime = std::make_shared<Runtime>();
    std::set<std::string> skipped;
    for (const auto &provider : config->providers) {
        if (!provider.unusable.empty()) { // only ever set for enabled: auto
            runtime->skipped_providers.emplace_back(provider.name, provider.unusable);
            skipped.insert(provider.name);
            continue;
        }
        auto library = library_of(provider, libraries);
        try {
            runtime->providers.push_back(
                plugins::ProviderInstance::create(provider.name, library, provider.settings_json, side_requests));
        } catch (const plugins::PluginLoadError &e) {
            if (!provider.optional) throw;
            runtime->skipped_providers.emplace_back(provider.name, e.what());
            skipped.insert(provider.name);
        }
    }
    // An alias or successor that points nowhere would only fail at request
    // time: refuse it now.
    const auto check_target = [&](const std::string &what, const std::string &target) {
        const auto slash = target.find('/');
        const auto *provider = runtime->find_provider(target.substr(0, slash));
        if (provider == nullptr && skipped.count(target.substr(0, slash)) != 0) return; // routed elsewhere
        if (provider == nullptr || provider->find_model(target.substr(slash + 1)) == nullptr)
            throw plugins::PluginLoadError(what + ": provider '" + target.substr(0, slash) + "' has no model '" +
                                           target.substr(slash + 1) + "' (GET /v1/models lists them)");
    };
    for (const auto &alias : config->aliases)
        for (const auto &target : alias.targets) check_target(alias.source + ": alias '" + alias.name + "'", target);
    for (const auto &[model, lifecycle] : config->lifecycle)
        if (!lifecycle.successor.empty())
            check_target(lifecycle.source + ": successor of '" + model + "'", lifecycle.successor);
    runtime->client_keys = std::make_shared<const ClientKeys>(config->api_keys, config->key_limits);
    runtime->config = std::move(config);
    return runtime;
}

std::vector<std::string> check_plugins(const config::Config &config, LibraryCache &libraries,
                                       std::vector<std::string> &skipped) {
    std::vector<std::string> problems;
    for (const auto &provider : config.providers) {
        if (!provider.unusable.empty()) {
            skipped.push_back(provider.source + ": provider '" + provider.name + "': " + provider.unusable);
            continue;
        }
        try {
            const auto library = library_of(provider, libraries);
            const auto validate = library->descriptor().validate_config;
            if (validate == nullptr) continue;
            helix_error err{};
            err.struct_size = sizeof err;
            const helix_str json{provider.settings_json.data(), provider.settings_json.size()};
            const helix_status status = validate(json, &err);
            plugins::SecretRedactor(library->descriptor(), provider.settings_json).redact(err);
            if (status != HELIX_OK)
                (provider.optional ? skipped : problems)
                    .push_back(provider.source + ": provider '" + provider.name + "' settings: " + plugins::error_message(err));
        } catch (const plugins::PluginLoadError &e) {
            problems.push_back(provider.source + ": provider '" + provider.name + "': " + e.what());
        }
    }
    return problems;
}

} // namespace helix::router
