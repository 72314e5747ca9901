#pragma once
// The simulator's HTTP side: one POCO HTTPServer (listener) per provider on
// its own port, all sharing one thread pool. POCO runs a connection on one
// pool thread for its whole life and a slow stream can last a minute, so the
// pool is as large as the connections to hold, with small stacks.

#include "tools/cloudsim/behaviour.hpp"
#include "tools/cloudsim/provider_api.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace Poco { class ThreadPool; }

namespace helix::cloudsim {

struct ServerSettings {
    std::string bind_address = "127.0.0.1";
    int max_connections = 20000;                // pool threads = connections held at once
    std::size_t thread_stack_bytes = 128 * 1024;
    int backlog = 4096;                         // listen() backlog and POCO's accept queue
    Behaviour defaults;                         // latency knobs without x-sim-* headers
};

class SimListener;

class SimServer {
public:
    explicit SimServer(ServerSettings settings);
    ~SimServer();
    SimServer(const SimServer &) = delete;
    SimServer &operator=(const SimServer &) = delete;

    // Binds a listener for `api` (port 0: an ephemeral port). Throws on a bind error.
    void add(std::unique_ptr<ProviderApi> api, std::uint16_t port);
    void start();
    // One line of JSON with the bound ports: {"openai":34567,"anthropic":34568}
    std::string ports_json() const;
    // Stops accepting, resets the connections in flight, joins the threads.
    void stop();

private:
    ServerSettings settings_;
    std::unique_ptr<Poco::ThreadPool> pool_;
    std::vector<std::unique_ptr<SimListener>> listeners_;
    bool stopped_ = false;
};

} // namespace helix::cloudsim
