#include "daemon/app/systemd_notifier.hpp"

#include <systemd/sd-daemon.h>

#include <ctime>
#include <string>

namespace helix::app {

void SystemdNotifier::ready() { sd_notify(0, "READY=1\nSTATUS=serving"); }

void SystemdNotifier::reloading() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    const auto usec = static_cast<unsigned long long>(now.tv_sec) * 1'000'000ULL +
                      static_cast<unsigned long long>(now.tv_nsec) / 1000ULL;
    const std::string message = "RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec);
    sd_notify(0, message.c_str());
}

void SystemdNotifier::stopping() { sd_notify(0, "STOPPING=1\nSTATUS=draining"); }

void SystemdNotifier::watchdog_ping() { sd_notify(0, "WATCHDOG=1"); }

void SystemdNotifier::status(const char *text) {
    const std::string message = std::string("STATUS=") + text;
    sd_notify(0, message.c_str());
}

std::optional<std::chrono::milliseconds> SystemdNotifier::watchdog_interval() const {
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
    return std::chrono::milliseconds(usec / 2000);
}

} // namespace helix::app
