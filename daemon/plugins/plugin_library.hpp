#pragma once
// One loaded plugin shared library and its checked descriptor. The library
// stays mapped for as long as any PluginLibraryPtr (held by every provider
// instance made from it) is alive, so unloading waits for the last call.

#include <helixagent/plugin_abi.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace helix::plugins {

// One line naming the file, what was expected and what was found.
class PluginLoadError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class PluginLibrary {
public:
    // Opens the library, negotiates the ABI and checks the descriptor.
    // Throws PluginLoadError.
    static std::shared_ptr<const PluginLibrary> load(const std::string &path);
    // The same for the file open as `fd` (the caller keeps and closes it);
    // `path` is what messages name.
    //
    // What is mapped is a private copy of the file's bytes (a memfd), never
    // the file itself, so that every load is really new code: the dynamic
    // loader hands back a library it already has when the name or the
    // device/inode match, which a file replaced in place, or a reused
    // /proc/self/fd/N name, would. The copy stays open while the loader may
    // know it by that name: for ever if dlclose() could not unload it (GNU
    // unique symbols make a library NODELETE). A running daemon thus never
    // has the installed file mapped, and writing over that file cannot crash
    // it. Before mapping, RTLD_NOLOAD checks that the name is new.
    static std::shared_ptr<const PluginLibrary> load(const std::string &path, int fd);

    ~PluginLibrary();
    PluginLibrary(const PluginLibrary &) = delete;
    PluginLibrary &operator=(const PluginLibrary &) = delete;

    const std::string &path() const noexcept { return path_; }
    const std::string &name() const noexcept { return name_; }
    const std::string &version() const noexcept { return version_; }
    // A host-owned copy of the descriptor: fields the plugin's (possibly
    // older, shorter) descriptor did not have are zero, i.e. absent.
    const helix_plugin_descriptor &descriptor() const noexcept { return descriptor_; }

private:
    struct Handle;
    PluginLibrary(std::string path, std::unique_ptr<Handle> handle, const helix_plugin_descriptor &d);

    std::string path_;
    std::unique_ptr<Handle> handle_;
    helix_plugin_descriptor descriptor_;
    std::string name_;
    std::string version_;
};

using PluginLibraryPtr = std::shared_ptr<const PluginLibrary>;

} // namespace helix::plugins
