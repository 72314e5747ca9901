#include "daemon/app/signal_waiter.hpp"

#include <cerrno>
#include <csignal>
#include <ctime>

namespace helix::app {

namespace {

sigset_t daemon_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR1);
    return set;
}

} // namespace

void block_daemon_signals() {
    const sigset_t set = daemon_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    // A client that disconnects must not kill the process through SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);
}

std::optional<DaemonSignal> wait_for_signal(std::chrono::milliseconds timeout) {
    const sigset_t set = daemon_signals();
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    ts.tv_nsec = static_cast<long>(timeout.count() % 1000) * 1'000'000L;
    const int sig = sigtimedwait(&set, nullptr, &ts);
    switch (sig) {
    case SIGTERM:
    case SIGINT: return DaemonSignal::terminate;
    case SIGHUP: return DaemonSignal::reload;
    case SIGUSR1: return DaemonSignal::reopen_logs;
    default: return std::nullopt; // timeout (EAGAIN) or EINTR
    }
}

} // namespace helix::app
