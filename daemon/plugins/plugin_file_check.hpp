#pragma once
// A plugin library runs inside the daemon with all its rights, so whoever can
// replace the file (or its directory's entries) owns the daemon. Before a
// library is loaded, at start and on every reload, the file and the
// directory holding it must be owned by root or by the daemon's own user and
// writable by neither group nor others; otherwise PluginLoadError names the
// file and what is wrong with it.

#include <string>

namespace helix::plugins {

// Throws PluginLoadError when `path` or its directory fails the check.
void check_plugin_file(const std::string &path);

} // namespace helix::plugins
