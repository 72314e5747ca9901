#include "daemon/plugins/plugin_file_check.hpp"

#include "daemon/plugins/plugin_library.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace helix::plugins {

namespace {

void check_one(const std::string &what, const std::string &path, const std::string &library) {
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) return; // a missing file is the loader's to report
    const std::string prefix = library + ": refused: " + what + (what == "the file" ? "" : " " + path);
    if (st.st_uid != 0 && st.st_uid != ::geteuid())
        throw PluginLoadError(prefix + " is owned by uid " + std::to_string(st.st_uid) +
                              ", neither root nor the daemon's user (uid " + std::to_string(::geteuid()) + ")");
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
        throw PluginLoadError(prefix + " is writable by " + ((st.st_mode & S_IWOTH) != 0 ? "others" : "its group") +
                              " (chmod go-w it)");
}

} // namespace

void check_plugin_file(const std::string &path) {
    std::error_code ec;
    // The real file: a symbolic link is as safe as what it points to.
    const std::filesystem::path real = std::filesystem::canonical(path, ec);
    if (ec) return;
    check_one("the file", real.string(), path);
    check_one("its directory", real.parent_path().string(), path);
}

} // namespace helix::plugins
