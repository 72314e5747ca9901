#pragma once
// Watches the configuration file (and the scores file) with inotify and, when
// one changes, raises SIGHUP in this process, so that a change on disk takes
// exactly the path of `systemctl reload`. Directories are watched rather than
// files, since editors and config managers replace files by renaming; a
// burst of events within `debounce` makes one reload.

#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace helix::app {

class ConfigWatcher {
public:
    explicit ConfigWatcher(std::vector<std::string> files,
                           std::chrono::milliseconds debounce = std::chrono::milliseconds(200));
    ~ConfigWatcher();
    ConfigWatcher(const ConfigWatcher &) = delete;
    ConfigWatcher &operator=(const ConfigWatcher &) = delete;

private:
    void run();

    int inotify_ = -1;
    int stop_pipe_[2] = {-1, -1};
    std::set<std::string> names_; // base names of the watched files
    std::chrono::milliseconds debounce_;
    std::thread thread_;
};

} // namespace helix::app
