#pragma once
// Routes POCO's loggers to standard error (the journal under systemd) as text
// or one JSON object per line, at the configured level.

#include "daemon/config/config.hpp"

namespace helix::app {

void setup_logging(const config::LogSettings &settings);

} // namespace helix::app
