#pragma once
// The daemon's signals are handled synchronously by the main thread: they are
// blocked in every thread (block_daemon_signals() runs before any thread is
// started, and threads inherit the mask) and collected with sigtimedwait.

#include <chrono>
#include <optional>

namespace helix::app {

enum class DaemonSignal { terminate, reload, reopen_logs };

void block_daemon_signals();

// Waits up to timeout; nullopt when it passed with no signal.
std::optional<DaemonSignal> wait_for_signal(std::chrono::milliseconds timeout);

} // namespace helix::app
