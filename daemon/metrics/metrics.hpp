#pragma once
// The gateway's Prometheus metrics: one Metrics per process (it outlives
// every configuration reload), served as text at GET /metrics.
//
// Families (prefix helixagent_, base units, counters end in _total):
//   requests_total{provider,model,status}            counter   client requests by their answer
//   request_duration_seconds{provider,model}         histogram arrival to the last byte of the answer
//   upstream_duration_seconds{provider,model}        histogram one upstream attempt
//   time_to_first_token_seconds{provider,model}      histogram arrival to the first content token sent
//   tokens_total{provider,model,direction}           counter   direction = input | output
//   cost_usd_total{provider,model}                   counter   estimated cost in US dollars
//   errors_total{provider,kind}                      counter   kind: see ErrorKind
//   failovers_total{from_provider,to_provider}       counter   a request moved on to another candidate
//   attempts_total{provider,outcome}                 counter   outcome: success | failure | abandoned
//   model_lifecycle_requests_total{provider,model,state} counter requests by the lifecycle state of the
//                                                              model asked: active | legacy | end_of_life
//   circuit_state{provider,model}                    gauge     0 closed, 1 half-open, 2 open (*)
//   in_flight_requests                               gauge     requests being served, not the scrape (*)
//   requests_refused_total{reason}                   counter   503 at once: in_flight | connections (*)
//   config_reloads_total{result}                     counter   result = success | failure
//   plugins_loaded                                   gauge     provider instances in the current config
//   build_info{version}                              gauge     always 1
// With metrics.client_label on (off by default), per client key name:
//   client_requests_total{client,status}             counter
//   client_tokens_total{client,direction}            counter
//   client_cost_usd_total{client}                    counter
// client takes only names of configured keys (allow_clients(), at most
// max_clients), else "other".
// (*) set by GET /metrics at each scrape from http::ServerState.
// A family shows in a scrape once it has a series: the last four from the
// start, the others from their first sample (e.g. the first request).
//
// Bounded labels. Every label value comes from a fixed set or from the
// configuration, never from a client:
//   provider  a provider allowed by allow_targets(); "" -> "none" (no
//             provider was chosen, e.g. an invalid request); any other
//             value -> "other".
//   model     a model id allowed for that provider; "" -> "none"; any other
//             value (or any model of an "other" provider) -> "other".
//   status    the HTTP status sent to the client: the code itself for
//             200 400 401 403 404 408 413 422 429 499 500 502 503 504, the
//             class ("1xx" .. "5xx") for any other code in 100..599, "other"
//             outside it. 499 means the client went away before an answer.
// allow_targets() only ever adds pairs (series of a removed provider keep
// their last values, as Prometheus expects of counters) and stops adding at
// max_providers / max_targets; the rest is reported as "other".
//
// All methods are thread-safe.

#include "daemon/audit/access_record.hpp"
#include "daemon/metrics/series_cache.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace helix::metrics {

// What went wrong, for errors_total{kind}. Where each comes from: see
// error_kind.hpp for the mappings from transport and plugin failures.
enum class ErrorKind {
    connect,      // the upstream could not be reached
    timeout,      // connect or read timed out
    reset,        // the connection broke mid-exchange
    rate_limited, // 429 / throttling
    upstream_5xx, // the upstream failed (5xx, or a transient failure without a status)
    upstream_4xx, // the upstream refused the request permanently
    protocol,     // the upstream's bytes did not follow its protocol
    auth,         // the upstream refused the gateway's credentials
    client,       // the client's own request was refused, or the client went away
    internal,     // a bug or resource failure in the gateway or a plugin
};
const char *to_string(ErrorKind kind) noexcept;

// One upstream attempt, for attempts_total{outcome}.
enum class AttemptOutcome {
    success,   // the attempt answered the client
    failure,   // it failed (errors_total says why)
    abandoned, // the client went away during it
};
const char *to_string(AttemptOutcome outcome) noexcept;

enum class CircuitState { closed = 0, half_open = 1, open = 2 };

// The label value for an HTTP status (the scheme above).
std::string status_label(int http_status);

struct Target {
    std::string provider;
    std::string model;
};

class Metrics {
public:
    static constexpr const char *content_type = "text/plain; version=0.0.4; charset=utf-8";
    static constexpr std::size_t max_providers = 256;
    static constexpr std::size_t max_targets = 4096;

    explicit Metrics(const std::string &version);
    Metrics(const Metrics &) = delete;
    Metrics &operator=(const Metrics &) = delete;
    ~Metrics();

    static constexpr std::size_t max_clients = 256;

    // Per-client series on or off (from the configuration), and the key
    // names allowed as client label values (only ever added to).
    void set_client_label(bool enabled) noexcept { client_label_.store(enabled); }
    void allow_clients(const std::vector<std::string> &names);
    std::string client_label(std::string_view client) const;
    // No-ops while client labels are off or client is empty.
    void count_client_request(std::string_view client, int http_status);
    void add_client_tokens(std::string_view client, std::uint64_t input, std::uint64_t output);
    void add_client_cost_usd(std::string_view client, double usd);
    // A request refused by its key's limits (reason: requests, tokens,
    // request_too_large, concurrency, daily_budget, monthly_budget,
    // store_unavailable): counted in limit_refusals_total{reason}, and per
    // key with client labels on; the key's budget left (period: day, month).
    void count_limit_refusal(std::string_view client, std::string_view reason);
    void set_client_budget_left(std::string_view client, std::string_view period, double usd);
    // A candidate skipped because its provider's own rpm/tpm was reached.
    void count_provider_limited(std::string_view provider);
    // The Redis the replicas share (shared_state): reachable or not, each
    // call's round trip, calls that got no reply.
    void set_shared_state_up(bool up);
    void observe_shared_state_call(bool ok, double seconds);

    // Adds provider/model pairs to the allowed label values (each provider
    // of a pair is allowed too); call it with every configuration loaded.
    void allow_targets(const std::vector<Target> &targets);

    // The label values a provider (and model) is reported under.
    std::string provider_label(std::string_view provider) const;
    Target target_labels(std::string_view provider, std::string_view model) const;

    // One client request, once answered (see also RequestObservation).
    void count_request(std::string_view provider, std::string_view model, int http_status);
    void observe_request_duration(std::string_view provider, std::string_view model, double seconds);
    void observe_time_to_first_token(std::string_view provider, std::string_view model, double seconds);

    // One upstream attempt: attempts_total, upstream_duration_seconds and,
    // when it failed, errors_total{kind}.
    void record_attempt(std::string_view provider, std::string_view model, double upstream_seconds,
                        AttemptOutcome outcome, std::optional<ErrorKind> error = std::nullopt);
    void count_attempt(std::string_view provider, AttemptOutcome outcome);
    void observe_upstream_duration(std::string_view provider, std::string_view model, double seconds);
    void count_error(std::string_view provider, ErrorKind kind);
    void count_failover(std::string_view from_provider, std::string_view to_provider);
    // A request for provider/model in lifecycle `state` (active, legacy, end_of_life).
    void count_lifecycle_request(std::string_view provider, std::string_view model, std::string_view state);

    // Usage and cost of an answered request (zero, negative or NaN: ignored).
    void add_tokens(std::string_view provider, std::string_view model, std::uint64_t input, std::uint64_t output);
    void add_cost_usd(std::string_view provider, std::string_view model, double usd);

    void set_circuit_state(std::string_view provider, std::string_view model, CircuitState state);
    void set_in_flight(std::int64_t requests);
    // Totals so far of requests refused because the server was full.
    void set_refused(std::uint64_t in_flight, std::uint64_t connections);
    void count_config_reload(bool success);
    void set_plugins_loaded(std::size_t count);

    // Called by serialize() before it collects, to set a gauge from state
    // kept elsewhere. Whatever a hook refers to must outlive the scrapes
    // (register hooks before the server starts).
    void add_scrape_hook(std::function<void(Metrics &)> hook);

    // The text exposition format 0.0.4 of every family (runs the hooks first);
    // the per-client families (helixagent_client_*) only when asked for.
    std::string serialize(bool with_client_series = true);
    prometheus::Registry &registry() noexcept { return registry_; }

private:
    // The series of `key` (made with the labels labelling() gives, if new).
    template <class Labelling>
    prometheus::Counter &counter(prometheus::Family<prometheus::Counter> &family, const SeriesKey &key,
                                 Labelling &&labelling);
    prometheus::Histogram &histogram(prometheus::Family<prometheus::Histogram> &family, char tag,
                                     std::string_view provider, std::string_view model);

    prometheus::Registry registry_;
    prometheus::Family<prometheus::Counter> &requests_;
    prometheus::Family<prometheus::Histogram> &request_duration_;
    prometheus::Family<prometheus::Histogram> &upstream_duration_;
    prometheus::Family<prometheus::Histogram> &first_token_;
    prometheus::Family<prometheus::Counter> &tokens_;
    prometheus::Family<prometheus::Counter> &cost_;
    prometheus::Family<prometheus::Counter> &errors_;
    prometheus::Family<prometheus::Counter> &failovers_;
    prometheus::Family<prometheus::Counter> &attempts_;
    prometheus::Family<prometheus::Counter> &lifecycle_requests_;
    prometheus::Family<prometheus::Gauge> &circuit_state_;
    prometheus::Gauge &in_flight_;
    prometheus::Family<prometheus::Counter> &refused_;
    prometheus::Counter &refused_in_flight_;
    prometheus::Counter &refused_connections_;
    std::mutex refused_mutex_; // concurrent scrapes advance the counters once
    prometheus::Family<prometheus::Counter> &reloads_;
    prometheus::Counter &reloads_success_;
    prometheus::Counter &reloads_failure_;
    prometheus::Gauge &plugins_loaded_;

    prometheus::Family<prometheus::Counter> &client_requests_;
    prometheus::Family<prometheus::Counter> &client_tokens_;
    prometheus::Family<prometheus::Counter> &client_cost_;
    prometheus::Family<prometheus::Counter> &limit_refusals_;
    prometheus::Family<prometheus::Counter> &client_limit_refusals_;
    prometheus::Family<prometheus::Gauge> &client_budget_left_;
    prometheus::Family<prometheus::Counter> &provider_limited_;
    prometheus::Family<prometheus::Gauge> &shared_state_up_; // its one series once shared_state is set
    prometheus::Counter &shared_state_errors_;
    prometheus::Histogram &shared_state_round_trip_;
    std::atomic<bool> client_label_{false};
    std::set<std::string, std::less<>> allowed_clients_; // guarded by allowed_mutex_

    mutable std::shared_mutex allowed_mutex_;
    std::map<std::string, std::set<std::string, std::less<>>, std::less<>> allowed_; // provider -> models
    std::size_t allowed_count_ = 0;

    // The series a request counts, by family tag and raw label values.
    SeriesCache<prometheus::Counter> counters_;
    SeriesCache<prometheus::Histogram> histograms_;

    std::mutex hooks_mutex_;
    std::vector<std::function<void(Metrics &)>> hooks_;
};

// One client request from its arrival to its answer. Every fact about it
// goes through here once: the metrics are recorded from it, and the same
// facts land in an audit::AccessRecord that the access log writes. The
// destructor (or finish()) records requests_total and
// request_duration_seconds with the last target and status set.
class RequestObservation {
public:
    // Facts go into `record` (which must outlive this), or an own one.
    explicit RequestObservation(Metrics &metrics, audit::AccessRecord *record = nullptr)
        : metrics_(metrics), own_record_(record != nullptr ? nullptr : std::make_unique<audit::AccessRecord>()),
          record_(record != nullptr ? *record : *own_record_), start_(record_.started) {}
    RequestObservation(const RequestObservation &) = delete;
    RequestObservation &operator=(const RequestObservation &) = delete;
    ~RequestObservation();

    // The provider and model that answered (or were tried last).
    void set_target(std::string_view provider, std::string_view model);
    // The status the client got; 500 if never set.
    void set_status(int http_status) noexcept { status_ = http_status; }
    // The first content token went to the client; only the first call counts.
    void first_token();
    // One upstream attempt (attempts_total, upstream_duration_seconds, errors_total).
    void attempt(std::string_view provider, std::string_view model, double upstream_seconds, AttemptOutcome outcome,
                 std::optional<ErrorKind> error = std::nullopt, int error_status = 0);
    void failover(std::string_view from_provider, std::string_view to_provider);
    // The request's model asked for and its lifecycle state (once per request).
    void lifecycle(std::string_view provider, std::string_view model, std::string_view state);
    // A candidate skipped: its provider's own rpm/tpm was reached.
    void provider_limited(std::string_view provider) { metrics_.count_provider_limited(provider); }
    // The answer's usage and estimated cost (nullopt: no price known).
    void usage(std::string_view provider, std::string_view model, std::int64_t prompt_tokens,
               std::int64_t completion_tokens, std::optional<double> cost_usd);
    void finish();

    double elapsed_seconds() const;
    const audit::AccessRecord &record() const noexcept { return record_; }

private:
    Metrics &metrics_;
    std::unique_ptr<audit::AccessRecord> own_record_; // only without the caller's (kept out of coroutine frames)
    audit::AccessRecord &record_;
    std::chrono::steady_clock::time_point start_;
    int status_ = 500;
    bool finished_ = false;
};

} // namespace helix::metrics
