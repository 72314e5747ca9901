#include "daemon/plugins/plugin_library.hpp"

#define BOOST_DLL_USE_STD_FS
#include <boost/dll/shared_library.hpp>

#include <cstring>
#include <filesystem>
#include <sstream>

namespace helix::plugins {

struct PluginLibrary::Handle {
    boost::dll::shared_library library;
};

namespace {

[[noreturn]] void fail(const std::string &path, const std::string &what) {
    throw PluginLoadError(path + ": " + what);
}

std::string version_string(std::uint32_t major, std::uint32_t minor) {
    return std::to_string(major) + "." + std::to_string(minor);
}

// Checks the plugin's descriptor against this host and copies the part of it
// both sides know into a zeroed host-sized struct.
helix_plugin_descriptor check_descriptor(const std::string &path, const helix_plugin_descriptor *d) {
    if (d == nullptr)
        fail(path, "plugin refused host ABI " + version_string(HELIX_ABI_MAJOR, HELIX_ABI_MINOR) +
                       " (its entry point returned no descriptor)");
    if (d->struct_size < offsetof(helix_plugin_descriptor, abi_minor) + sizeof d->abi_minor)
        fail(path, "descriptor too small to read its ABI version: struct_size is " +
                       std::to_string(d->struct_size));
    if (d->abi_major != HELIX_ABI_MAJOR)
        fail(path, "ABI major version mismatch: host expects " + std::to_string(HELIX_ABI_MAJOR) +
                       ".x, plugin was built for " + version_string(d->abi_major, d->abi_minor));
    if (d->abi_minor > HELIX_ABI_MINOR)
        fail(path, "plugin needs ABI " + version_string(d->abi_major, d->abi_minor) +
                       " but this host provides " + version_string(HELIX_ABI_MAJOR, HELIX_ABI_MINOR) +
                       "; upgrade helixagentd");
    if (d->struct_size < HELIX_DESCRIPTOR_MIN_SIZE_1_0)
        fail(path, "descriptor too small: expected struct_size of at least " +
                       std::to_string(HELIX_DESCRIPTOR_MIN_SIZE_1_0) + " bytes for ABI 1.0, found " +
                       std::to_string(d->struct_size));

    helix_plugin_descriptor copy{};
    std::memcpy(&copy, d, std::min<std::size_t>(d->struct_size, sizeof copy));
    copy.struct_size = sizeof copy;

    if (copy.name == nullptr || copy.name[0] == '\0') fail(path, "descriptor has no plugin name");
    if (copy.version == nullptr || copy.version[0] == '\0') fail(path, "descriptor has no plugin version");
    if (copy.thread_safety != HELIX_THREADS_CONCURRENT_CALLS && copy.thread_safety != HELIX_THREADS_SERIALIZED)
        fail(path, "descriptor states unknown thread_safety " +
                       std::to_string(static_cast<int>(copy.thread_safety)));
    const std::pair<const char *, bool> required[] = {
        {"create", copy.create != nullptr},     {"destroy", copy.destroy != nullptr},
        {"list_models", copy.list_models != nullptr}, {"prepare", copy.prepare != nullptr},
        {"decode", copy.decode != nullptr},     {"finish", copy.finish != nullptr},
        {"call_free", copy.call_free != nullptr},
    };
    for (const auto &[name, present] : required)
        if (!present) fail(path, std::string("descriptor lacks required function '") + name + "'");
    return copy;
}

// Boost.DLL wraps dlerror()'s text; keep only that part, which names the cause.
std::string dl_reason(const std::string &what) {
    const std::string marker = "dlerror system message: ";
    const auto at = what.find(marker);
    if (at == std::string::npos) return what;
    std::string reason = what.substr(at + marker.size());
    if (!reason.empty() && reason.back() == ')') reason.pop_back();
    return reason;
}

} // namespace

PluginLibrary::PluginLibrary(std::string path, std::unique_ptr<Handle> handle, const helix_plugin_descriptor &d)
    : path_(std::move(path)), handle_(std::move(handle)), descriptor_(d), name_(d.name), version_(d.version) {}

PluginLibrary::~PluginLibrary() = default;

std::shared_ptr<const PluginLibrary> PluginLibrary::load(const std::string &path) {
    std::error_code fs_error;
    if (!std::filesystem::is_regular_file(path, fs_error))
        fail(path, "no such plugin file (expected a shared library built with the HelixAgent SDK)");

    auto handle = std::make_unique<Handle>();
    try {
        // RTLD_LOCAL keeps each plugin's symbols to itself; RTLD_NOW surfaces a
        // missing dependency here, at start, instead of at the first request.
        // The throwing overload is used because it carries dlerror()'s text.
        handle->library.load(std::filesystem::path(path),
                             boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    } catch (const std::exception &e) {
        fail(path, std::string("not a loadable shared library: ") + dl_reason(e.what()));
    }
    if (!handle->library.has(HELIX_PLUGIN_ENTRY_SYMBOL))
        fail(path, std::string("no entry point '") + HELIX_PLUGIN_ENTRY_SYMBOL +
                       "': expected a HelixAgent plugin (HELIX_PLUGIN(...) in one source file)");
    auto &entry = handle->library.get<const helix_plugin_descriptor *(std::uint32_t, std::uint32_t)>(
        HELIX_PLUGIN_ENTRY_SYMBOL);
    const helix_plugin_descriptor descriptor = check_descriptor(path, entry(HELIX_ABI_MAJOR, HELIX_ABI_MINOR));
    return std::shared_ptr<const PluginLibrary>(new PluginLibrary(path, std::move(handle), descriptor));
}

} // namespace helix::plugins
