#include "daemon/app/config_watcher.hpp"

#include <Poco/Logger.h>

#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

namespace helix::app {

ConfigWatcher::ConfigWatcher(std::vector<std::string> files, std::chrono::milliseconds debounce)
    : debounce_(debounce) {
    inotify_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (inotify_ < 0 || pipe2(stop_pipe_, O_CLOEXEC) != 0) {
        Poco::Logger::get("helixagentd").warning("cannot watch the configuration for changes; reload with SIGHUP");
        return;
    }
    std::set<std::string> dirs;
    for (const auto &file : files) {
        if (file.empty()) continue;
        const std::filesystem::path path(file);
        names_.insert(path.filename().string());
        dirs.insert(path.parent_path().empty() ? "." : path.parent_path().string());
    }
    for (const auto &dir : dirs)
        inotify_add_watch(inotify_, dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE);
    thread_ = std::thread([this] { run(); });
}

ConfigWatcher::~ConfigWatcher() {
    if (thread_.joinable()) {
        const char stop = 1;
        [[maybe_unused]] const auto n = ::write(stop_pipe_[1], &stop, 1);
        thread_.join();
    }
    for (const int fd : {inotify_, stop_pipe_[0], stop_pipe_[1]})
        if (fd >= 0) ::close(fd);
}

void ConfigWatcher::run() {
    alignas(inotify_event) char buffer[4096];
    bool pending = false;
    for (;;) {
        pollfd fds[2] = {{inotify_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
        // While a change is pending, wait only the debounce time for more.
        const int ready = ::poll(fds, 2, pending ? static_cast<int>(debounce_.count()) : -1);
        if (ready < 0) continue; // EINTR
        if (fds[1].revents != 0) return;
        if (ready == 0) { // quiet for the debounce time: reload once
            pending = false;
            ::kill(::getpid(), SIGHUP);
            continue;
        }
        ssize_t n;
        while ((n = ::read(inotify_, buffer, sizeof buffer)) > 0) {
            for (char *p = buffer; p < buffer + n;) {
                const auto *event = reinterpret_cast<const inotify_event *>(p);
                if (event->len > 0 && names_.count(event->name) > 0) pending = true;
                p += sizeof(inotify_event) + event->len;
            }
        }
    }
}

} // namespace helix::app
