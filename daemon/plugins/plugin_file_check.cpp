#include "daemon/plugins/plugin_file_check.hpp"

#include "daemon/plugins/plugin_library.hpp"

#include <fcntl.h>
#include <filesystem>
#include <unistd.h>
#include <utility>

namespace helix::plugins {

namespace {

// Closes a descriptor at scope exit unless released.
struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
    int release() { return std::exchange(fd, -1); }
};

void check_stat(const std::string &what, const std::string &path, const struct stat &st, const std::string &library) {
    const std::string prefix = library + ": refused: " + what + (what == "the file" ? "" : " " + path);
    if (st.st_uid != 0 && st.st_uid != ::geteuid())
        throw PluginLoadError(prefix + " is owned by uid " + std::to_string(st.st_uid) +
                              ", neither root nor the daemon's user (uid " + std::to_string(::geteuid()) + ")");
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
        throw PluginLoadError(prefix + " is writable by " + ((st.st_mode & S_IWOTH) != 0 ? "others" : "its group") +
                              " (chmod go-w it)");
}

[[noreturn]] void no_file(const std::string &path) {
    throw PluginLoadError(path + ": no such plugin file (expected a shared library built with the HelixAgent SDK)");
}

} // namespace

CheckedPluginFile open_checked_plugin(const std::string &path) {
    std::error_code ec;
    // The real file: a symbolic link is as safe as what it points to.
    const std::filesystem::path real = std::filesystem::canonical(path, ec);
    if (ec) no_file(path);
    // A name in plugin_dir that links elsewhere: whoever may change that
    // directory's entries chooses the file, so it is checked too.
    const std::filesystem::path named_dir = std::filesystem::absolute(path, ec).parent_path();
    if (!ec && std::filesystem::weakly_canonical(named_dir, ec) != real.parent_path() && !ec) {
        struct stat named_st{};
        if (::stat(named_dir.c_str(), &named_st) != 0) no_file(path);
        check_stat("its directory", named_dir.string(), named_st, path);
    }
    const std::string dir_name = real.parent_path().string();
    Fd dir{::open(dir_name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (dir.fd < 0) no_file(path);
    struct stat dir_st{};
    if (::fstat(dir.fd, &dir_st) != 0) no_file(path);
    check_stat("its directory", dir_name, dir_st, path);

    Fd file{::openat(dir.fd, real.filename().c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)};
    CheckedPluginFile checked;
    if (file.fd < 0 || ::fstat(file.fd, &checked.st) != 0 || !S_ISREG(checked.st.st_mode)) no_file(path);
    check_stat("the file", real.string(), checked.st, path);
    checked.fd = file.release();
    return checked;
}

void check_plugin_file(const std::string &path) {
    const CheckedPluginFile checked = open_checked_plugin(path);
    ::close(checked.fd);
}

} // namespace helix::plugins
