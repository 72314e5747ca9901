#pragma once
// sd_notify(3) messages for Type=notify units. Every call is a no-op when the
// daemon was not started by systemd (no NOTIFY_SOCKET).

#include <chrono>
#include <optional>

namespace helix::app {

class SystemdNotifier {
public:
    void ready();
    void reloading(); // carries MONOTONIC_USEC, without which `systemctl reload` can hang
    void stopping();
    void watchdog_ping();
    void status(const char *text);
    // Half of WATCHDOG_USEC when the unit has WatchdogSec=, else nothing.
    std::optional<std::chrono::milliseconds> watchdog_interval() const;
};

} // namespace helix::app
