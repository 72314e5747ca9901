#pragma once
// The seam between the simulator's HTTP server and one provider's API.
// A provider module (OpenAI, Anthropic; Bedrock, Vertex, Azure next) is a
// ProviderApi: it checks the provider's auth, parses the provider's request
// into a SimPrompt, renders the reply in the provider's wire format and hands
// it to the delivery engine. Everything else (listener, control endpoint,
// stats, fault board, latency knobs) is shared and lives in ProviderContext.

#include "tools/cloudsim/behaviour.hpp"
#include "tools/cloudsim/faults.hpp"
#include "tools/cloudsim/stats.hpp"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace helix::cloudsim {

class Exchange;

// Shared state of one provider listener.
class ProviderContext {
public:
    ProviderContext(std::string provider, Behaviour defaults);

    const std::string &provider() const { return provider_; }
    const Behaviour &defaults() const { return defaults_; }
    FaultBoard &faults() { return faults_; }
    Stats &stats() { return stats_; }

    // The latency knobs of this request (defaults + x-sim-* headers);
    // nullopt with `error` set for an invalid header value.
    std::optional<Behaviour> behaviour(const Exchange &exchange, std::string &error) const;

    // The fault of this request: the x-sim-fault header, else a
    // [[fault:<kind>]] directive in `prompt_text` (the last user message),
    // else the fault board (consumed only in that case). Counted in the
    // stats. nullopt with `error` set for an unknown kind.
    std::optional<FaultKind> resolve_fault(const Exchange &exchange, std::string_view prompt_text, std::string &error);

private:
    std::string provider_;
    Behaviour defaults_;
    FaultBoard faults_;
    Stats stats_;
};

class ProviderApi {
public:
    virtual ~ProviderApi() = default;
    // The provider's name: names its listener, its --<name>-port option and
    // its member in the ports line ("openai", "anthropic").
    virtual std::string_view name() const = 0;
    // Handles one API request (any path but /__sim/...). May throw
    // ConnectionAborted after resetting the connection.
    virtual void handle(Exchange &exchange, ProviderContext &context) = 0;
    // Whether `kind` (not a common kind) is one of this provider's own that
    // the fault board may hold; the module then takes it with
    // FaultBoard::take_own().
    virtual bool board_fault(std::string_view /*kind*/) const { return false; }
};

// What the command line gives a provider module.
struct ProviderOptions {
    std::string key; // the API key (or secret) the module accepts
    // The module's own settings (ProviderModule::settings): option -> value,
    // every declared option present (its default when not given).
    std::map<std::string, std::string, std::less<>> settings;
};

// A module's own command-line option beyond --<name>-port and --<name>-key:
// --<name>-<option> VALUE (e.g. --vertex-token-ttl-s 60).
struct ProviderSetting {
    std::string_view option;        // "token-ttl-s"
    std::string_view default_value; // may be empty
    std::string_view help;          // one line for --help
    // Validates a value: an error text, empty when valid (nullptr: anything goes).
    std::string (*check)(std::string_view value) = nullptr;
};

// A provider the simulator can serve. Adding a provider = one module + one
// entry in provider_modules().
struct ProviderModule {
    std::string_view name;
    std::string_view default_key;
    std::unique_ptr<ProviderApi> (*create)(const ProviderOptions &options);
    std::span<const ProviderSetting> settings = {};
};

} // namespace helix::cloudsim
