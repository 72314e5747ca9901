#pragma once
// Where access records go: nowhere, standard output or error (the journal
// under systemd), or a file opened for appending. One process-wide object;
// configure() runs at start and on every reload, reopen() on SIGUSR1, so
// logrotate can move the file away and have a new one started. Each record
// is written with one write(2) call under a lock, so lines never interleave.

#include "daemon/audit/access_record.hpp"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

namespace helix::audit {

class AccessLog {
public:
    AccessLog() = default;
    AccessLog(const AccessLog &) = delete;
    AccessLog &operator=(const AccessLog &) = delete;
    ~AccessLog();

    // target: "off", "stdout", "stderr" or a file path (opened again even if
    // unchanged, as a reload should). The new target is opened before the old
    // one is closed; on failure the old one stays and the reason is returned
    // (empty on success).
    std::string configure(const std::string &target, bool include_content);
    // Opens the file again under its name (after a rotation); same contract.
    std::string reopen();

    bool enabled() const noexcept { return enabled_.load(std::memory_order_relaxed); }
    bool include_content() const noexcept { return include_content_.load(std::memory_order_relaxed); }
    const std::string &target() const noexcept { return target_; } // only from the configuring thread

    void write(const AccessRecord &record);
    // Records lost to failed writes (each power of two is also logged as an error).
    std::uint64_t write_failures() const noexcept { return write_failures_.load(); }

private:
    std::string open_locked(const std::string &target);

    std::mutex mutex_;
    std::string target_ = "off";
    int fd_ = -1;
    bool owns_fd_ = false;
    std::atomic<bool> enabled_{false};
    std::atomic<bool> include_content_{false};
    std::atomic<std::uint64_t> write_failures_{0};
};

} // namespace helix::audit
