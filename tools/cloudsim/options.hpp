#pragma once
// helix-cloudsim's command line.

#include "tools/cloudsim/provider_api.hpp"
#include "tools/cloudsim/sim_server.hpp"

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace helix::cloudsim {

struct ProviderLaunch {
    const ProviderModule *module = nullptr;
    std::uint16_t port = 0; // 0: ephemeral
    ProviderOptions options;
};

struct SimOptions {
    ServerSettings server;
    std::vector<ProviderLaunch> providers; // the ones to serve, in registry order
    long watch_pid = 0;                    // exit when this process is gone (0: never)
    bool help = false;
};

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Parses the arguments (without argv[0]); throws UsageError.
SimOptions parse_options(const std::vector<std::string> &args, std::span<const ProviderModule> modules);
std::string usage_text(std::span<const ProviderModule> modules);

} // namespace helix::cloudsim
