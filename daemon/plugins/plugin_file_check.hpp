#pragma once
// A plugin library runs inside the daemon with all its rights, so whoever can
// replace the file (or its directory's entries) owns the daemon. Before a
// library is loaded, at start and on every reload, the file and the
// directory holding it must be owned by root or by the daemon's own user and
// writable by neither group nor others; otherwise PluginLoadError names the
// file and what is wrong with it. When the configured name is a symbolic
// link, the directory holding the link must pass the same check.
//
// The check is made on the open file, not on its name: open_checked_plugin()
// opens the directory, checks it, opens the file inside it (no symbolic link
// followed at that step), checks what it opened and returns that descriptor,
// from which the loader copies what it maps (PluginLibrary::load). So the
// file checked is the file loaded, even if the name is swapped in between.

#include <string>
#include <sys/stat.h>

namespace helix::plugins {

// An open, checked plugin file: the descriptor (owned by the caller) and
// what fstat said about it (device, inode, times and size identify the version).
struct CheckedPluginFile {
    int fd = -1;
    struct stat st{};
};

// Throws PluginLoadError when `path` is missing, not a regular file, or it
// or its directory fails the check.
CheckedPluginFile open_checked_plugin(const std::string &path);

// The same check, the file closed again.
void check_plugin_file(const std::string &path);

} // namespace helix::plugins
