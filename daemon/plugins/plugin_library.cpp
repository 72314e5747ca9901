#include "daemon/plugins/plugin_library.hpp"

#define BOOST_DLL_USE_STD_FS
#include <boost/dll/shared_library.hpp>

#include <cerrno>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <filesystem>
#include <sstream>
#include <sys/mman.h>
#include <unistd.h>

namespace helix::plugins {

namespace {

// Whether the dynamic loader has a library open under `name` (or with the
// device/inode of the file it names).
bool loader_knows(const std::string &name) {
    void *known = ::dlopen(name.c_str(), RTLD_LAZY | RTLD_LOCAL | RTLD_NOLOAD);
    if (known == nullptr) return false;
    ::dlclose(known); // NOLOAD counted a reference
    return true;
}

} // namespace

struct PluginLibrary::Handle {
    boost::dll::shared_library library;
    int copy = -1; // the memfd holding the private copy
    std::string name; // "/proc/self/fd/<copy>", as the loader knows it

    Handle() = default;
    Handle(const Handle &) = delete;
    Handle &operator=(const Handle &) = delete;
    ~Handle() {
        if (library.is_loaded()) library.unload();
        // A library the loader keeps (NODELETE) keeps its name: closing the
        // copy would let a later copy get the same descriptor number, and
        // dlopen would return this library for it. Its memory stays mapped
        // anyway, so the open descriptor costs nothing more.
        if (copy >= 0 && !loader_knows(name)) ::close(copy);
    }
};

namespace {

[[noreturn]] void fail(const std::string &path, const std::string &what) {
    throw PluginLoadError(path + ": " + what);
}

std::string version_string(std::uint32_t major, std::uint32_t minor) {
    return std::to_string(major) + "." + std::to_string(minor);
}

// The range of versions this host speaks: every minor of its major.
constexpr std::uint32_t kHostMinVersion = HELIX_MAKE_VERSION(HELIX_ABI_MAJOR, 0);
constexpr std::uint32_t kHostMaxVersion = HELIX_ABI_VERSION;

std::string version_text(std::uint32_t v) { return version_string(HELIX_VERSION_MAJOR(v), HELIX_VERSION_MINOR(v)); }

std::string host_range() { return version_text(kHostMinVersion) + " to " + version_text(kHostMaxVersion); }

// Checks the plugin's descriptor against the negotiated version and copies the
// part of it both sides know into a zeroed host-sized struct.
helix_plugin_descriptor check_descriptor(const std::string &path, const helix_plugin_descriptor *d,
                                         std::uint32_t version) {
    if (d == nullptr) fail(path, "negotiation succeeded but the plugin returned no descriptor");
    if (d->struct_size < offsetof(helix_plugin_descriptor, abi_minor) + sizeof d->abi_minor)
        fail(path, "descriptor too small to read its ABI version: struct_size is " +
                       std::to_string(d->struct_size));
    if (HELIX_MAKE_VERSION(d->abi_major, d->abi_minor) != version)
        fail(path, "plugin negotiated ABI " + version_text(version) + " but its descriptor says " +
                       version_string(d->abi_major, d->abi_minor));
    constexpr std::size_t kMinSize = offsetof(helix_plugin_descriptor, setting_count) + sizeof(std::size_t);
    if (d->struct_size < kMinSize)
        fail(path, "descriptor too small: expected struct_size of at least " + std::to_string(kMinSize) +
                       " bytes for ABI " + version_text(version) + ", found " + std::to_string(d->struct_size));

    helix_plugin_descriptor copy{};
    std::memcpy(&copy, d, std::min<std::size_t>(d->struct_size, sizeof copy));
    copy.struct_size = sizeof copy;

    if (copy.name == nullptr || copy.name[0] == '\0') fail(path, "descriptor has no plugin name");
    if (copy.version == nullptr || copy.version[0] == '\0') fail(path, "descriptor has no plugin version");
    if (copy.thread_safety != HELIX_THREADS_CONCURRENT_CALLS && copy.thread_safety != HELIX_THREADS_SERIALIZED)
        fail(path, "descriptor states unknown thread_safety " + std::to_string(copy.thread_safety) +
                       (copy.thread_safety == 0 ? " (unset)" : ""));
    const std::pair<const char *, bool> required[] = {
        {"create", copy.create != nullptr},     {"destroy", copy.destroy != nullptr},
        {"list_models", copy.list_models != nullptr}, {"prepare", copy.prepare != nullptr},
        {"decode", copy.decode != nullptr},     {"finish", copy.finish != nullptr},
        {"call_free", copy.call_free != nullptr},
    };
    for (const auto &[name, present] : required)
        if (!present) fail(path, std::string("descriptor lacks required function '") + name + "'");
    if (copy.setting_count > 0 && copy.settings == nullptr)
        fail(path, "descriptor counts " + std::to_string(copy.setting_count) + " settings but has no table");
    for (std::size_t i = 0; i < copy.setting_count; ++i) {
        const helix_setting *s = copy.settings[i];
        if (s == nullptr || s->struct_size < offsetof(helix_setting, env_provider) + sizeof s->env_provider)
            fail(path, "settings table entry " + std::to_string(i) + " is missing or too small");
        if (s->name == nullptr || s->name[0] == '\0')
            fail(path, "settings table entry " + std::to_string(i) + " has no name");
        if (s->type == HELIX_SETTING_UNSET || s->type > HELIX_SETTING_MAP)
            fail(path, std::string("setting '") + s->name + "' has unknown type " + std::to_string(s->type));
    }
    return copy;
}

// A library without the negotiate symbol: an ABI 1.x plugin (or something
// else). Its old entry point takes two integers, so calling it is safe; its
// descriptor names the version it was built for.
[[noreturn]] void refuse_legacy(const std::string &path, boost::dll::shared_library &library) {
    if (!library.has(HELIX_PLUGIN_ENTRY_SYMBOL))
        fail(path, std::string("no entry point '") + HELIX_PLUGIN_NEGOTIATE_SYMBOL +
                       "': expected a HelixAgent plugin (HELIX_PLUGIN(...) in one source file)");
    auto &entry = library.get<const helix_plugin_descriptor *(std::uint32_t, std::uint32_t)>(
        HELIX_PLUGIN_ENTRY_SYMBOL);
    const helix_plugin_descriptor *d = entry(HELIX_ABI_MAJOR, HELIX_ABI_MINOR);
    if (d == nullptr || d->struct_size < offsetof(helix_plugin_descriptor, abi_minor) + sizeof d->abi_minor)
        fail(path, "plugin has only the ABI 1.x entry point and returned no readable descriptor; this host "
                   "speaks ABI " + host_range() + ": rebuild the plugin against the 2.x SDK");
    fail(path, "plugin was built for ABI " + version_string(d->abi_major, d->abi_minor) +
                   " (no negotiate entry point); this host speaks ABI " + host_range() +
                   ": rebuild the plugin against the " + std::to_string(HELIX_ABI_MAJOR) + ".x SDK");
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

// dlerror() names the copy; a reader needs the file.
std::string named_as(std::string text, const std::string &copy_name, const std::string &path) {
    for (auto at = text.find(copy_name); at != std::string::npos; at = text.find(copy_name, at + path.size()))
        text.replace(at, copy_name.size(), path);
    return text;
}

// An anonymous in-memory file (memfd) with the bytes of `fd` from its
// start; returns its descriptor.
int private_copy(const std::string &path, int fd) {
    const std::string label = "helix-plugin:" + std::filesystem::path(path).filename().string();
    const int copy = ::memfd_create(label.c_str(), MFD_CLOEXEC);
    if (copy < 0) fail(path, std::string("cannot make a private copy to load (memfd_create): ") + std::strerror(errno));
    const auto give_up = [&](const char *step) {
        const int error = errno;
        ::close(copy);
        fail(path, std::string("cannot copy the plugin file to load it (") + step + "): " + std::strerror(error));
    };
    char buffer[64 * 1024];
    for (off_t offset = 0;;) {
        const ssize_t got = ::pread(fd, buffer, sizeof buffer, offset);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) give_up("read");
        if (got == 0) return copy;
        for (ssize_t done = 0; done < got;) {
            const ssize_t put = ::write(copy, buffer + done, static_cast<std::size_t>(got - done));
            if (put < 0 && errno == EINTR) continue;
            if (put <= 0) give_up("write");
            done += put;
        }
        offset += got;
    }
}

} // namespace

PluginLibrary::PluginLibrary(std::string path, std::unique_ptr<Handle> handle, const helix_plugin_descriptor &d)
    : path_(std::move(path)), handle_(std::move(handle)), descriptor_(d), name_(d.name), version_(d.version) {}

PluginLibrary::~PluginLibrary() = default;

std::shared_ptr<const PluginLibrary> PluginLibrary::load(const std::string &path) {
    std::error_code fs_error;
    if (!std::filesystem::is_regular_file(path, fs_error))
        fail(path, "no such plugin file (expected a shared library built with the HelixAgent SDK)");
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(path, std::string("cannot open the plugin file: ") + std::strerror(errno));
    try {
        auto library = load(path, fd);
        ::close(fd);
        return library;
    } catch (...) {
        ::close(fd);
        throw;
    }
}

std::shared_ptr<const PluginLibrary> PluginLibrary::load(const std::string &path, int fd) {
    auto handle = std::make_unique<Handle>();
    handle->copy = private_copy(path, fd);
    handle->name = "/proc/self/fd/" + std::to_string(handle->copy);
    if (loader_knows(handle->name)) // cannot happen while every mapped copy stays open; checked, not assumed
        fail(path, "the dynamic loader already has a library named " + handle->name + "; not loading over it");
    try {
        // RTLD_LOCAL keeps each plugin's symbols to itself; RTLD_NOW surfaces a
        // missing dependency here, at start, instead of at the first request.
        // The throwing overload is used because it carries dlerror()'s text.
        handle->library.load(std::filesystem::path(handle->name),
                             boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    } catch (const std::exception &e) {
        fail(path, std::string("not a loadable shared library: ") + named_as(dl_reason(e.what()), handle->name, path));
    }
    if (!handle->library.has(HELIX_PLUGIN_NEGOTIATE_SYMBOL)) refuse_legacy(path, handle->library);
    auto &negotiate = handle->library.get<helix_status(const helix_negotiate_info *, helix_negotiate_result *,
                                                        helix_error *)>(HELIX_PLUGIN_NEGOTIATE_SYMBOL);
    helix_negotiate_info offer{};
    offer.struct_size = sizeof offer;
    offer.min_version = kHostMinVersion;
    offer.max_version = kHostMaxVersion;
    helix_negotiate_result answer{};
    answer.struct_size = sizeof answer;
    helix_error error{};
    error.struct_size = sizeof error;
    const helix_status status = negotiate(&offer, &answer, &error);
    if (status != HELIX_OK) {
        const std::string said(error.message, strnlen(error.message, sizeof error.message));
        fail(path, "plugin refused this host, which speaks ABI " + host_range() +
                       (said.empty() ? std::string(" (no reason given)") : ": " + said));
    }
    if (answer.version < kHostMinVersion || answer.version > kHostMaxVersion)
        fail(path, "plugin chose ABI " + version_text(answer.version) + ", outside this host's " + host_range());
    const helix_plugin_descriptor descriptor = check_descriptor(path, answer.descriptor, answer.version);
    return std::shared_ptr<const PluginLibrary>(new PluginLibrary(path, std::move(handle), descriptor));
}

} // namespace helix::plugins
