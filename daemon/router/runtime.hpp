#pragma once
// What a request needs from the current configuration: the immutable Config
// snapshot and the provider instances made from it. A request takes one
// Runtime when it starts and keeps it to the end; a reload builds a complete
// new Runtime and swaps it in atomically.

#include "daemon/config/config.hpp"
#include "daemon/router/client_keys.hpp"
#include "daemon/plugins/provider_instance.hpp"

#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace helix::router {

struct Runtime {
    config::ConfigPtr config;
    std::vector<plugins::ProviderInstancePtr> providers; // config order
    std::shared_ptr<const ClientKeys> client_keys;
    // Providers declared `enabled: auto` whose plugin refused its settings,
    // with the reason: not routed to, listed by /readyz and the log.
    std::vector<std::pair<std::string, std::string>> skipped_providers;

    const plugins::ProviderInstance *find_provider(const std::string &name) const;
};

using RuntimePtr = std::shared_ptr<const Runtime>;

// Opens each version of a plugin file once and hands it to every Runtime
// that uses it. A version is the path plus the file's device, inode, size,
// modification and change times: a library replaced on disk (a package
// upgrade) is a new version, loaded by the next reload, while requests still
// running on the old one finish on it. The cache holds libraries weakly, so
// an old version is unloaded once the last provider instance (and
// configuration) made from it is gone. Each get() checks the file again
// (plugin_file_check.hpp), on the open file that is then loaded.
class LibraryCache {
public:
    plugins::PluginLibraryPtr get(const std::string &path); // throws PluginLoadError

private:
    struct Version {
        std::string path;
        std::uint64_t device = 0;
        std::uint64_t inode = 0;
        std::int64_t size = 0;
        std::int64_t mtime_ns = 0;
        std::int64_t ctime_ns = 0;
        auto operator<=>(const Version &) const = default;
    };
    std::mutex mutex_;
    std::map<Version, std::weak_ptr<const plugins::PluginLibrary>> libraries_;
};

// Loads the libraries and creates the instances; throws PluginLoadError.
RuntimePtr build_runtime(config::ConfigPtr config, LibraryCache &libraries,
                         std::shared_ptr<plugins::SideRequestClient> side_requests);

// Checks what --check-config can check without creating instances: each
// library loads and accepts its settings. Returns one message per problem;
// an `enabled: auto` provider whose settings are refused goes to `skipped`
// instead (it would run without it).
std::vector<std::string> check_plugins(const config::Config &config, LibraryCache &libraries,
                                       std::vector<std::string> &skipped);

// The current Runtime, swapped whole by a reload. A mutex guards the pointer
// copy (libstdc++ 12's std::atomic<shared_ptr> synchronises in a way
// ThreadSanitizer cannot see); it is held for a pointer copy only, and the
// runtime replaced is released after the lock.
class RuntimeHolder {
public:
    RuntimePtr current() const {
        std::lock_guard lock(mutex_);
        return current_;
    }
    void replace(RuntimePtr next) {
        {
            std::lock_guard lock(mutex_);
            current_.swap(next);
        }
        next.reset(); // the old runtime, destroyed outside the lock (if no request holds it)
    }

private:
    mutable std::mutex mutex_;
    RuntimePtr current_;
};

} // namespace helix::router
