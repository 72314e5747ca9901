#pragma once
// The simulator's HTTP side: one listener per provider on its own port, all
// sharing one thread pool. Each listener serves HTTP/1.1 (POCO's HTTP
// server connection) and, on the same port, HTTP/2 with prior knowledge
// (h2c: a connection that starts with the HTTP/2 preface); with a TLS
// certificate it serves h2 over TLS only (ALPN). POCO runs a connection on
// one pool thread for its whole life, and an HTTP/2 stream takes a thread of
// its own (StreamThreads) while it is served; a slow stream can last a
// minute, so each may have as many threads as the streams to hold, with
// small stacks.

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
    int max_connections = 20000;                // pool threads = connections held at once (and HTTP/2 streams)
    std::size_t thread_stack_bytes = 128 * 1024;
    int backlog = 4096;                         // listen() backlog and POCO's accept queue
    Behaviour defaults;                         // latency knobs without x-sim-* headers
    std::uint32_t h2_max_streams = 100;         // SETTINGS_MAX_CONCURRENT_STREAMS of each HTTP/2 connection
    std::string tls_cert;                       // PEM chain; with tls_key: listeners speak h2 over TLS
    std::string tls_key;
};

class SimListener;
class StreamThreads;
class TlsListenerContext;

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
    std::unique_ptr<StreamThreads> stream_threads_;
    std::unique_ptr<TlsListenerContext> tls_;
    std::vector<std::unique_ptr<SimListener>> listeners_;
    bool stopped_ = false;
};

} // namespace helix::cloudsim
