#pragma once
// Routes POCO's loggers to standard error (the journal under systemd) as text
// or one JSON object per line, at the configured level.

#include "daemon/config/config.hpp"

namespace helix::app {

void setup_logging(const config::LogSettings &settings);

// Writes what the logging thread still has queued, then stops it (at exit).
void close_logging();

// Calls close_logging() when the scope ends.
struct LoggingCloser {
    LoggingCloser() = default;
    LoggingCloser(const LoggingCloser &) = delete;
    LoggingCloser &operator=(const LoggingCloser &) = delete;
    ~LoggingCloser() { close_logging(); }
};

} // namespace helix::app
