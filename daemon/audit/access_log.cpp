#include "daemon/audit/access_log.hpp"

#include <Poco/Logger.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace helix::audit {

AccessLog::~AccessLog() {
    if (owns_fd_) ::close(fd_);
}

std::string AccessLog::open_locked(const std::string &target) {
    int fd = -1;
    bool owns = false;
    if (target == "stdout") {
        fd = STDOUT_FILENO;
    } else if (target == "stderr") {
        fd = STDERR_FILENO;
    } else if (target != "off") {
        // 0640: the log names clients and models; the group (e.g. adm) may read it.
        fd = ::open(target.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (fd < 0) return "cannot open access log '" + target + "': " + std::strerror(errno);
        owns = true;
    }
    if (owns_fd_) ::close(fd_);
    fd_ = fd;
    owns_fd_ = owns;
    target_ = target;
    enabled_.store(fd >= 0);
    return {};
}

std::string AccessLog::configure(const std::string &target, bool include_content) {
    std::lock_guard lock(mutex_);
    include_content_.store(include_content);
    if (target == target_ && !owns_fd_) return {}; // a file is reopened on every reload
    return open_locked(target);
}

std::string AccessLog::reopen() {
    std::lock_guard lock(mutex_);
    if (!owns_fd_) return {};
    return open_locked(target_);
}

void AccessLog::write(const AccessRecord &record) {
    if (!enabled()) return;
    const std::string line = to_json_line(record, include_content());
    std::lock_guard lock(mutex_);
    if (fd_ < 0) return;
    std::size_t done = 0;
    while (done < line.size()) {
        const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            // A full disk must not stop the gateway, nor flood its own log:
            // the 1st, 2nd, 4th, 8th... lost record is reported.
            const std::uint64_t lost = ++write_failures_;
            if ((lost & (lost - 1)) == 0)
                Poco::Logger::get("helixagentd").error("cannot write the access log '" + target_ +
                                                       "': " + std::strerror(errno) + " (" + std::to_string(lost) +
                                                       " records lost so far)");
            return;
        }
        done += static_cast<std::size_t>(n);
    }
}

} // namespace helix::audit
