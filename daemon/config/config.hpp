#pragma once
// The immutable configuration snapshot. Built once by load_config() from the
// YAML file plus the environment; never modified afterwards, so any number of
// requests can read one snapshot while a reload builds the next.

#include "daemon/config/key_digest.hpp"
#include "daemon/config/limits_settings.hpp"
#include "daemon/config/secret_text.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace helix::config {

struct ServerSettings {
    // Loopback unless configured: a gateway holding cloud credentials is
    // reachable from other hosts only when the operator says so.
    std::string listen_address = "127.0.0.1";
    std::uint16_t port = 7061; // 0 picks an ephemeral port (tests)
    std::size_t max_connections = 4096;
    std::size_t max_queued_connections = 256;
    // Chat completions handled at once; beyond it a request gets 503 with
    // Retry-After at once instead of waiting. Below max_connections, so a
    // thread is always free to say so.
    std::size_t max_in_flight = 1024;
    // server.thread_stack: accepted so that older files still load; unused
    // since a connection has no thread of its own.
    std::size_t thread_stack_bytes = 256 * 1024;
    // Event loops (each a thread) carrying the client connections; 0: one per core.
    std::size_t threads = 0;
    // server.tls: HTTPS on the listener when both are set (PEM files).
    std::string tls_cert_file{};
    std::string tls_key_file{};
    // Images travel as base64 data URIs inside the JSON: 32 MiB holds OpenAI's
    // largest image (20 MB, ~27 MB encoded) or several photos. Memory: up to
    // about max_in_flight x max_body x 3 (docs/operations.md, Sizing the limits).
    std::size_t max_body_bytes = 32 * 1024 * 1024;
    std::size_t max_header_bytes = 64 * 1024;
    // A non-streamed reply is collected in memory before it is sent: an
    // upstream reply (bytes received) larger than this ends the request with
    // 502. Far above any real reply.
    std::size_t max_reply_bytes = 64 * 1024 * 1024;
    std::chrono::milliseconds read_timeout{30'000};  // per socket read from a client
    std::chrono::milliseconds write_timeout{30'000}; // per socket write to a client
    // A request's line, headers and body must arrive within this of its
    // first byte, however slowly they trickle in (slowloris clients).
    std::chrono::milliseconds request_read_timeout{60'000};
    std::chrono::milliseconds keep_alive_timeout{15'000};
    std::chrono::milliseconds drain_timeout{30'000}; // SIGTERM waits this long for in-flight requests
    // A client address with this many failed key attempts in a row (each
    // within auth_failure_block of the last) is refused with 429 until
    // auth_failure_block has passed since its last failure; 0: never.
    std::size_t auth_failure_limit = 10;
    std::chrono::milliseconds auth_failure_block{60'000};
};

// Outbound connections to providers (and plugins' side requests).
struct UpstreamSettings {
    bool verify_tls = true;       // certificate and host name checks; off only for testing
    std::string ca_file;          // PEM bundle to trust instead of the system store; empty = system
    std::size_t max_idle_connections = 64; // kept per upstream host for reuse
    std::chrono::milliseconds idle_timeout{30'000}; // an idle connection older than this is not reused
    // HTTP version towards the providers: "off" (HTTP/1.1), "auto" (ALPN
    // decides over TLS; plain http stays HTTP/1.1), "on" (HTTP/2 always, h2c
    // for http://). A provider's own `http2` overrides it.
    std::string http2 = "off";
};

// media_fetch: the images and documents the gateway fetches by URL for a
// provider that takes them as bytes only (Bedrock, Vertex AI).
struct MediaFetchSettings {
    bool enabled = true;                    // false: such a URL is refused (400)
    std::chrono::milliseconds timeout{10'000}; // the whole fetch of one URL, redirects included
    std::uint64_t max_bytes = 10 * 1024 * 1024; // one URL's body
    std::size_t max_urls = 8;               // URLs fetched for one request
    std::size_t max_redirects = 3;          // each target is checked as the first URL was
    // Hosts ("name", "name:port", "*.suffix", an IP literal, "[v6]:port").
    // allow_hosts, when not empty: only these (and private_hosts) are fetched.
    // private_hosts: fetched even at loopback, private or link-local
    // addresses (an internal image store; tests on 127.0.0.1).
    std::vector<std::string> allow_hosts;
    std::vector<std::string> private_hosts;
};

// How a request moves between candidates when one fails.
struct RouterSettings {
    std::size_t max_attempts = 3;                   // upstream calls per request, over all candidates
    std::chrono::milliseconds max_retry_wait{5'000}; // longest Retry-After honoured before retrying a provider
    std::chrono::milliseconds deadline{120'000};    // a request's whole budget, waits included
    bool explicit_fallback = false;                 // may "provider/model" fall over to other providers?
    double cost_tolerance = 0.05; // non-critical requests: cheapest candidate scoring within this of the best
    std::size_t circuit_failures = 5;               // consecutive failures that open a provider+model's circuit
    std::chrono::milliseconds circuit_cooldown{30'000}; // open this long before one probe request
    double circuit_failure_rate = 0.5;  // ...or this share of the last circuit_window calls failed (0: off)
    std::size_t circuit_window = 20;    // calls (1..64); the rate counts once half of them are seen
};

// USD per 1,000 tokens. Prompt tokens read from the provider's prompt cache
// and written to it have prices of their own; unset, they cost `input`.
struct Price {
    double input = 0;
    double output = 0;
    std::optional<double> cache_read;
    std::optional<double> cache_write;
};

struct LogSettings {
    std::string level = "information"; // POCO priority names: debug, information, warning, error
    std::string format = "text";       // "text" or "json"
    // The access (audit) log, one JSON line per API request: "off", "stdout",
    // "stderr", or the absolute path of a file (reopened on SIGUSR1 and reload).
    std::string access = "off";
    bool access_content = false; // also log prompt and completion text (sensitive)
};

struct MetricsSettings {
    bool client_label = false; // per-client-key series (label values: configured key names only)
};

// shared_state.redis: the Redis server every replica shares its limits'
// counters and provider state through (empty url: each replica on its own).
struct SharedStateSettings {
    std::string url;          // as written (redis://host:port/db or rediss://), without its password
    std::string host;
    std::uint16_t port = 6379;
    std::string user;         // AUTH user (Redis 6 ACL); empty: the password alone
    std::string password;     // never logged
    bool tls = false;         // rediss:// or tls: true
    std::string ca_file;      // PEM CAs trusted for the server's certificate instead of the system store
    std::string cert_file;    // client certificate chain (mutual TLS), with key_file
    std::string key_file;
    std::string server_name;  // the name its certificate must carry (and SNI); empty: the url's host
    std::uint32_t db = 0;     // SELECT, from the url's path
    std::chrono::milliseconds timeout{250}; // per call; beyond it the call fails and local limits decide
    std::size_t replicas = 1; // replicas sharing it: local limits while it is down are divided by this
    std::string source;       // "file:line"

    bool enabled() const noexcept { return !host.empty(); }
    // What a change of them needs: a new connection.
    bool same_server(const SharedStateSettings &o) const noexcept {
        return host == o.host && port == o.port && user == o.user && password == o.password && tls == o.tls &&
               ca_file == o.ca_file && cert_file == o.cert_file && key_file == o.key_file &&
               server_name == o.server_name && db == o.db && timeout == o.timeout;
    }
};

struct ApiKey {
    std::string name; // shown in logs and metrics; never the key itself
    KeyDigest digest; // SHA-256 of the key; its text is not kept (key_digest.hpp)
    // The key's scope; empty lists allow everything. A model entry matches the
    // name the client asked for, a served model id or "provider/model".
    std::vector<std::string> models;
    std::vector<std::string> providers;
};

struct ProviderConfig {
    std::string name;         // routing prefix, e.g. "aws-bedrock"
    std::string library_path; // absolute path of the plugin .so
    std::chrono::milliseconds timeout{60'000};
    std::chrono::milliseconds connect_timeout{10'000};
    std::string http2; // plugins.<name>.http2: off, auto or on; empty: upstream.http2
    SecretText settings_json;  // the provider's `settings:` map as a JSON object text (wiped when freed)
    std::string source;        // "file:line" where the provider is declared
    Limits limits;             // our own account's quota at this provider (rpm, tpm)
    // enabled: auto — when the plugin refuses its settings (credentials not
    // configured), the daemon runs without it and says why, instead of not
    // starting. The shipped configuration declares every provider this way.
    bool optional = false;
    // An `enabled: auto` provider that cannot run (a required setting is
    // missing): why. The runtime skips it with this reason.
    std::string unusable;
    // The plugin library whose settings table read `settings_json` (see
    // PluginSchema::library), or null when the configuration was loaded
    // without plugins.
    std::shared_ptr<const void> library;
};

// A name clients may use for a model served elsewhere, e.g. "gpt-4" ->
// ["azure-openai/gpt-4", "openai/gpt-4"]: the first target that can serve wins.
struct ModelAlias {
    std::string name;
    std::vector<std::string> targets; // "provider/model", in order of preference
    std::string source;               // "file:line"
};

// A model's lifecycle upstream (lifecycle: in the YAML, per provider/model).
// Dates are seconds since the epoch at 00:00 UTC of the day written.
struct ModelLifecycle {
    std::optional<std::int64_t> legacy;      // deprecated upstream from this day (Deprecation header)
    std::optional<std::int64_t> end_of_life; // retired upstream from this day (Sunset header)
    std::string successor;                   // "provider/model" that serves it instead, or empty
    bool successor_from_legacy = false;      // successor_from: legacy (default: end_of_life)
    std::string source;                      // "file:line"
};

struct Config {
    std::string source_file; // the YAML file this came from (absolute)
    ServerSettings server;
    UpstreamSettings upstream;
    RouterSettings router;
    LogSettings log;
    MetricsSettings metrics;
    SharedStateSettings shared_state;
    MediaFetchSettings media_fetch;
    std::vector<ApiKey> api_keys;
    // api_keys[].limits by key name: requests, tokens, concurrency and spend (limits_settings.hpp)
    std::map<std::string, KeyLimits> key_limits;
    std::string plugin_dir;
    std::vector<ProviderConfig> providers; // in file order
    std::vector<std::string> primary;      // provider names, routing order
    std::vector<std::string> fallback;
    std::vector<ModelAlias> aliases;       // in file order
    std::map<std::string, Price> prices;   // "provider/model" -> price
    std::map<std::string, ModelLifecycle> lifecycle; // "provider/model" -> its dates and successor
    std::string scores_file;               // verifier scores, reloaded with the configuration
    std::map<std::string, double> scores;  // "provider/model" -> score (higher is better)
    // Worth an operator's attention but not an error (logged as warnings at
    // start and on reload), e.g. HELIXAGENT_API_KEYS replacing the file's keys.
    std::vector<std::string> notices;

    const ProviderConfig *find_provider(const std::string &name) const;
};

using ConfigPtr = std::shared_ptr<const Config>;

} // namespace helix::config
