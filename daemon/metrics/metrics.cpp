#include "daemon/metrics/metrics.hpp"

#include <prometheus/text_serializer.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <mutex>

namespace helix::metrics {

namespace {

using prometheus::Labels;

// LLM calls take from tens of milliseconds (a cached or tiny answer) to
// minutes (long generations); the same bounds suit the whole request, one
// upstream attempt and the first token.
const prometheus::Histogram::BucketBoundaries &llm_buckets() {
    static const prometheus::Histogram::BucketBoundaries buckets{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120};
    return buckets;
}

constexpr std::array exact_statuses{200, 400, 401, 403, 404, 408, 413, 422, 429, 499, 500, 502, 503, 504};

constexpr const char *none_label = "none";
constexpr const char *other_label = "other";

double clean_seconds(double seconds) { return std::isfinite(seconds) && seconds > 0 ? seconds : 0.0; }

// An HTTP status as a series key's part, without an allocation.
class StatusText {
public:
    explicit StatusText(int status) : end_(std::to_chars(text_.data(), text_.data() + text_.size(), status).ptr) {}
    std::string_view view() const { return {text_.data(), static_cast<std::size_t>(end_ - text_.data())}; }

private:
    std::array<char, 12> text_{};
    char *end_;
};

} // namespace

const char *to_string(ErrorKind kind) noexcept {
    switch (kind) {
    case ErrorKind::connect: return "connect";
    case ErrorKind::timeout: return "timeout";
    case ErrorKind::reset: return "reset";
    case ErrorKind::rate_limited: return "rate_limited";
    case ErrorKind::upstream_5xx: return "upstream_5xx";
    case ErrorKind::upstream_4xx: return "upstream_4xx";
    case ErrorKind::protocol: return "protocol";
    case ErrorKind::auth: return "auth";
    case ErrorKind::client: return "client";
    case ErrorKind::internal: return "internal";
    }
    return "internal";
}

const char *to_string(AttemptOutcome outcome) noexcept {
    switch (outcome) {
    case AttemptOutcome::success: return "success";
    case AttemptOutcome::failure: return "failure";
    case AttemptOutcome::abandoned: return "abandoned";
    }
    return "failure";
}

std::string status_label(int http_status) {
    for (const int code : exact_statuses)
        if (code == http_status) return std::to_string(code);
    if (http_status >= 100 && http_status <= 599) return std::to_string(http_status / 100) + "xx";
    return other_label;
}

Metrics::Metrics(const std::string &version)
    : requests_(prometheus::BuildCounter()
                    .Name("helixagent_requests_total")
                    .Help("Chat completion requests answered, by the provider and model that answered (or were "
                          "tried last) and the HTTP status the client got.")
                    .Register(registry_)),
      request_duration_(prometheus::BuildHistogram()
                            .Name("helixagent_request_duration_seconds")
                            .Help("Time from a chat completion request's arrival to the end of its answer, "
                                  "fail-overs included.")
                            .Register(registry_)),
      upstream_duration_(prometheus::BuildHistogram()
                             .Name("helixagent_upstream_duration_seconds")
                             .Help("Duration of one upstream attempt, from sending the request to the end of the "
                                   "upstream response or its failure.")
                             .Register(registry_)),
      first_token_(prometheus::BuildHistogram()
                       .Name("helixagent_time_to_first_token_seconds")
                       .Help("Time from a streamed request's arrival to its first content token sent to the "
                             "client.")
                       .Register(registry_)),
      tokens_(prometheus::BuildCounter()
                  .Name("helixagent_tokens_total")
                  .Help("Tokens reported by providers, by direction (input: prompt, output: completion).")
                  .Register(registry_)),
      cost_(prometheus::BuildCounter()
                .Name("helixagent_cost_usd_total")
                .Help("Estimated cost of answered requests in US dollars, from the model catalog's prices.")
                .Register(registry_)),
      errors_(prometheus::BuildCounter()
                  .Name("helixagent_errors_total")
                  .Help("Failures by provider and kind (connect, timeout, reset, rate_limited, upstream_5xx, "
                        "upstream_4xx, protocol, auth, client, internal).")
                  .Register(registry_)),
      failovers_(prometheus::BuildCounter()
                     .Name("helixagent_failovers_total")
                     .Help("Requests moved from one provider to the next candidate after a retryable failure.")
                     .Register(registry_)),
      attempts_(prometheus::BuildCounter()
                    .Name("helixagent_attempts_total")
                    .Help("Upstream attempts by provider and outcome (success, failure, abandoned).")
                    .Register(registry_)),
      lifecycle_requests_(prometheus::BuildCounter()
                              .Name("helixagent_model_lifecycle_requests_total")
                              .Help("Requests by the lifecycle state of the model asked for (active, legacy, "
                                    "end_of_life; lifecycle: in the configuration).")
                              .Register(registry_)),
      circuit_state_(prometheus::BuildGauge()
                         .Name("helixagent_circuit_state")
                         .Help("Circuit breaker state per provider and model: 0 closed, 1 half-open, 2 open.")
                         .Register(registry_)),
      in_flight_(prometheus::BuildGauge()
                     .Name("helixagent_in_flight_requests")
                     .Help("HTTP requests being served, not counting the scrape itself.")
                     .Register(registry_)
                     .Add({})),
      refused_(prometheus::BuildCounter()
                   .Name("helixagent_requests_refused_total")
                   .Help("Requests answered 503 at once because the server was full: reason in_flight "
                         "(server.max_in_flight chat completions) or connections (server.max_connections).")
                   .Register(registry_)),
      refused_in_flight_(refused_.Add({{"reason", "in_flight"}})),
      refused_connections_(refused_.Add({{"reason", "connections"}})),
      reloads_(prometheus::BuildCounter()
                   .Name("helixagent_config_reloads_total")
                   .Help("Configuration reloads by result; a failed reload keeps the previous configuration.")
                   .Register(registry_)),
      reloads_success_(reloads_.Add({{"result", "success"}})),
      reloads_failure_(reloads_.Add({{"result", "failure"}})),
      plugins_loaded_(prometheus::BuildGauge()
                          .Name("helixagent_plugins_loaded")
                          .Help("Provider instances (each backed by a plugin) in the current configuration.")
                          .Register(registry_)
                          .Add({})),
      client_requests_(prometheus::BuildCounter()
                           .Name("helixagent_client_requests_total")
                           .Help("Chat completion requests by client key name and HTTP status (only with "
                                 "metrics.client_label).")
                           .Register(registry_)),
      client_tokens_(prometheus::BuildCounter()
                         .Name("helixagent_client_tokens_total")
                         .Help("Tokens used by each client key name, by direction (only with metrics.client_label).")
                         .Register(registry_)),
      client_cost_(prometheus::BuildCounter()
                       .Name("helixagent_client_cost_usd_total")
                       .Help("Estimated cost in US dollars by client key name (only with metrics.client_label).")
                       .Register(registry_)),
      limit_refusals_(prometheus::BuildCounter()
                          .Name("helixagent_limit_refusals_total")
                          .Help("Requests refused by their client key's limits, by reason.")
                          .Register(registry_)),
      client_limit_refusals_(prometheus::BuildCounter()
                                 .Name("helixagent_client_limit_refusals_total")
                                 .Help("Requests refused by their client key's limits, by key name and reason (only "
                                       "with metrics.client_label).")
                                 .Register(registry_)),
      client_budget_left_(prometheus::BuildGauge()
                              .Name("helixagent_client_budget_remaining_usd")
                              .Help("What is left of a client key's spend budget, by period (day, month), as of "
                                    "its last request (only with metrics.client_label).")
                              .Register(registry_)),
      provider_limited_(prometheus::BuildCounter()
                            .Name("helixagent_provider_limited_total")
                            .Help("Candidates skipped because their provider's own rpm or tpm was reached.")
                            .Register(registry_)),
      shared_state_up_(prometheus::BuildGauge()
                           .Name("helixagent_shared_state_up")
                           .Help("1 while the Redis of shared_state answers, 0 while limits fall back to this "
                                 "replica's counters (degraded); absent without shared_state.")
                           .Register(registry_)),
      shared_state_errors_(prometheus::BuildCounter()
                               .Name("helixagent_shared_state_errors_total")
                               .Help("Calls to the Redis of shared_state that got no reply (timeout, connection "
                                     "lost, its circuit open).")
                               .Register(registry_)
                               .Add({})),
      shared_state_round_trip_(prometheus::BuildHistogram()
                                   .Name("helixagent_shared_state_round_trip_seconds")
                                   .Help("Round trip of each call to the Redis of shared_state that got a reply.")
                                   .Register(registry_)
                                   .Add({}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005,
                                                                                    0.01, 0.025, 0.05, 0.1, 0.25,
                                                                                    0.5, 1})) {
    prometheus::BuildGauge()
        .Name("helixagent_build_info")
        .Help("Always 1; the version label says which helixagentd is running.")
        .Register(registry_)
        .Add({{"version", version}})
        .Set(1);
}

Metrics::~Metrics() = default;

void Metrics::allow_targets(const std::vector<Target> &targets) {
    std::unique_lock lock(allowed_mutex_);
    for (const auto &t : targets) {
        if (t.provider.empty()) continue;
        auto it = allowed_.find(t.provider);
        if (it == allowed_.end()) {
            if (allowed_.size() >= max_providers) continue;
            it = allowed_.emplace(t.provider, std::set<std::string, std::less<>>{}).first;
        }
        if (t.model.empty() || allowed_count_ >= max_targets) continue;
        if (it->second.insert(t.model).second) ++allowed_count_;
    }
    // A raw name cached as "other" may be allowed now.
    counters_.forget();
    histograms_.forget();
}

void Metrics::allow_clients(const std::vector<std::string> &names) {
    std::unique_lock lock(allowed_mutex_);
    for (const auto &name : names)
        if (!name.empty() && allowed_clients_.size() < max_clients) allowed_clients_.insert(name);
    counters_.forget();
}

std::string Metrics::client_label(std::string_view client) const {
    std::shared_lock lock(allowed_mutex_);
    return allowed_clients_.contains(client) ? std::string(client) : other_label;
}

void Metrics::count_client_request(std::string_view client, int http_status) {
    if (!client_label_.load() || client.empty()) return;
    const StatusText status(http_status);
    counter(client_requests_, SeriesKey('R', {client, status.view()}), [&] {
        return Labels{{"client", client_label(client)}, {"status", status_label(http_status)}};
    }).Increment();
}

void Metrics::add_client_tokens(std::string_view client, std::uint64_t input, std::uint64_t output) {
    if (!client_label_.load() || client.empty()) return;
    for (const auto &[direction, count] : {std::pair{"input", input}, std::pair{"output", output}}) {
        if (count == 0) continue;
        counter(client_tokens_, SeriesKey('T', {client, direction}), [&] {
            return Labels{{"client", client_label(client)}, {"direction", direction}};
        }).Increment(static_cast<double>(count));
    }
}

void Metrics::count_limit_refusal(std::string_view client, std::string_view reason) {
    limit_refusals_.Add({{"reason", std::string(reason)}}).Increment();
    if (!client_label_.load() || client.empty()) return;
    client_limit_refusals_.Add({{"client", client_label(client)}, {"reason", std::string(reason)}}).Increment();
}

void Metrics::set_client_budget_left(std::string_view client, std::string_view period, double usd) {
    if (!client_label_.load() || client.empty() || !std::isfinite(usd)) return;
    client_budget_left_.Add({{"client", client_label(client)}, {"period", std::string(period)}}).Set(usd);
}

void Metrics::count_provider_limited(std::string_view provider) {
    provider_limited_.Add({{"provider", provider_label(provider)}}).Increment();
}

void Metrics::add_client_cost_usd(std::string_view client, double usd) {
    if (!client_label_.load() || client.empty() || !std::isfinite(usd) || usd <= 0) return;
    counter(client_cost_, SeriesKey('C', {client}), [&] { return Labels{{"client", client_label(client)}}; })
        .Increment(usd);
}

std::string Metrics::provider_label(std::string_view provider) const {
    if (provider.empty()) return none_label;
    std::shared_lock lock(allowed_mutex_);
    return allowed_.contains(provider) ? std::string(provider) : other_label;
}

Target Metrics::target_labels(std::string_view provider, std::string_view model) const {
    if (provider.empty()) return {none_label, none_label};
    std::shared_lock lock(allowed_mutex_);
    const auto it = allowed_.find(provider);
    if (it == allowed_.end()) return {other_label, other_label};
    if (model.empty()) return {std::string(provider), none_label};
    return {std::string(provider), it->second.contains(model) ? std::string(model) : other_label};
}

template <class Labelling>
prometheus::Counter &Metrics::counter(prometheus::Family<prometheus::Counter> &family, const SeriesKey &key,
                                      Labelling &&labels) {
    return counters_.find_or_add(key, [&]() -> prometheus::Counter & { return family.Add(labels()); });
}

prometheus::Histogram &Metrics::histogram(prometheus::Family<prometheus::Histogram> &family, char tag,
                                          std::string_view provider, std::string_view model) {
    return histograms_.find_or_add(SeriesKey(tag, {provider, model}), [&]() -> prometheus::Histogram & {
        const Target t = target_labels(provider, model);
        return family.Add({{"provider", t.provider}, {"model", t.model}}, llm_buckets());
    });
}

void Metrics::count_request(std::string_view provider, std::string_view model, int http_status) {
    const StatusText status(http_status);
    counter(requests_, SeriesKey('r', {provider, model, status.view()}), [&] {
        const Target t = target_labels(provider, model);
        return Labels{{"provider", t.provider}, {"model", t.model}, {"status", status_label(http_status)}};
    }).Increment();
}

void Metrics::observe_request_duration(std::string_view provider, std::string_view model, double seconds) {
    histogram(request_duration_, 'd', provider, model).Observe(clean_seconds(seconds));
}

void Metrics::observe_time_to_first_token(std::string_view provider, std::string_view model, double seconds) {
    histogram(first_token_, 'f', provider, model).Observe(clean_seconds(seconds));
}

void Metrics::observe_upstream_duration(std::string_view provider, std::string_view model, double seconds) {
    histogram(upstream_duration_, 'u', provider, model).Observe(clean_seconds(seconds));
}

void Metrics::record_attempt(std::string_view provider, std::string_view model, double upstream_seconds,
                             AttemptOutcome outcome, std::optional<ErrorKind> error) {
    count_attempt(provider, outcome);
    observe_upstream_duration(provider, model, upstream_seconds);
    if (error) count_error(provider, *error);
}

void Metrics::count_attempt(std::string_view provider, AttemptOutcome outcome) {
    counter(attempts_, SeriesKey('a', {provider, to_string(outcome)}), [&] {
        return Labels{{"provider", provider_label(provider)}, {"outcome", to_string(outcome)}};
    }).Increment();
}

void Metrics::count_error(std::string_view provider, ErrorKind kind) {
    counter(errors_, SeriesKey('e', {provider, to_string(kind)}), [&] {
        return Labels{{"provider", provider_label(provider)}, {"kind", to_string(kind)}};
    }).Increment();
}

void Metrics::count_failover(std::string_view from_provider, std::string_view to_provider) {
    counter(failovers_, SeriesKey('o', {from_provider, to_provider}), [&] {
        return Labels{{"from_provider", provider_label(from_provider)}, {"to_provider", provider_label(to_provider)}};
    }).Increment();
}

void Metrics::count_lifecycle_request(std::string_view provider, std::string_view model, std::string_view state) {
    const std::string_view bounded = state == "legacy" || state == "end_of_life" ? state : "active";
    counter(lifecycle_requests_, SeriesKey('l', {provider, model, bounded}), [&] {
        const Target t = target_labels(provider, model);
        return Labels{{"provider", t.provider}, {"model", t.model}, {"state", std::string(bounded)}};
    }).Increment();
}

void Metrics::add_tokens(std::string_view provider, std::string_view model, std::uint64_t input,
                         std::uint64_t output) {
    for (const auto &[direction, count] : {std::pair{"input", input}, std::pair{"output", output}}) {
        if (count == 0) continue;
        counter(tokens_, SeriesKey('t', {provider, model, direction}), [&] {
            const Target t = target_labels(provider, model);
            return Labels{{"provider", t.provider}, {"model", t.model}, {"direction", direction}};
        }).Increment(static_cast<double>(count));
    }
}

void Metrics::add_cost_usd(std::string_view provider, std::string_view model, double usd) {
    if (!std::isfinite(usd) || usd <= 0) return;
    counter(cost_, SeriesKey('c', {provider, model}), [&] {
        const Target t = target_labels(provider, model);
        return Labels{{"provider", t.provider}, {"model", t.model}};
    }).Increment(usd);
}

void Metrics::set_circuit_state(std::string_view provider, std::string_view model, CircuitState state) {
    const Target t = target_labels(provider, model);
    circuit_state_.Add({{"provider", t.provider}, {"model", t.model}}).Set(static_cast<double>(state));
}

void Metrics::set_in_flight(std::int64_t requests) { in_flight_.Set(static_cast<double>(requests < 0 ? 0 : requests)); }

void Metrics::set_refused(std::uint64_t in_flight, std::uint64_t connections) {
    std::lock_guard lock(refused_mutex_);
    for (auto [counter, total] : {std::pair{&refused_in_flight_, in_flight}, std::pair{&refused_connections_, connections}}) {
        const double now = static_cast<double>(total);
        if (now > counter->Value()) counter->Increment(now - counter->Value());
    }
}

void Metrics::count_config_reload(bool success) { (success ? reloads_success_ : reloads_failure_).Increment(); }

void Metrics::set_shared_state_up(bool up) { shared_state_up_.Add({}).Set(up ? 1 : 0); }

void Metrics::observe_shared_state_call(bool ok, double seconds) {
    if (ok)
        shared_state_round_trip_.Observe(clean_seconds(seconds));
    else
        shared_state_errors_.Increment();
}

void Metrics::set_plugins_loaded(std::size_t count) { plugins_loaded_.Set(static_cast<double>(count)); }

void Metrics::add_scrape_hook(std::function<void(Metrics &)> hook) {
    std::lock_guard lock(hooks_mutex_);
    hooks_.push_back(std::move(hook));
}

std::string Metrics::serialize(bool with_client_series) {
    {
        std::lock_guard lock(hooks_mutex_);
        for (const auto &hook : hooks_) hook(*this);
    }
    std::vector<prometheus::MetricFamily> families = registry_.Collect();
    if (!with_client_series)
        std::erase_if(families, [](const prometheus::MetricFamily &f) { return f.name.starts_with("helixagent_client_"); });
    return prometheus::TextSerializer().Serialize(families);
}

RequestObservation::~RequestObservation() {
    try {
        finish();
    } catch (...) { // a destructor must not throw; losing one sample is acceptable
    }
}

void RequestObservation::set_target(std::string_view provider, std::string_view model) {
    record_.provider.assign(provider);
    record_.model.assign(model);
}

double RequestObservation::elapsed_seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void RequestObservation::first_token() {
    if (record_.first_token_seconds) return;
    const double seconds = elapsed_seconds();
    record_.first_token_seconds = seconds;
    metrics_.observe_time_to_first_token(record_.provider, record_.model, seconds);
}

void RequestObservation::attempt(std::string_view provider, std::string_view model, double upstream_seconds,
                                 AttemptOutcome outcome, std::optional<ErrorKind> error, int error_status) {
    metrics_.record_attempt(provider, model, upstream_seconds, outcome, error);
    record_.attempts.push_back({std::string(provider), std::string(model), to_string(outcome),
                                error ? to_string(*error) : "", error ? error_status : 0, upstream_seconds});
}

void RequestObservation::failover(std::string_view from_provider, std::string_view to_provider) {
    metrics_.count_failover(from_provider, to_provider);
}

void RequestObservation::lifecycle(std::string_view provider, std::string_view model, std::string_view state) {
    metrics_.count_lifecycle_request(provider, model, state);
}

void RequestObservation::usage(std::string_view provider, std::string_view model, std::int64_t prompt_tokens,
                               std::int64_t completion_tokens, std::optional<double> cost_usd) {
    const auto input = static_cast<std::uint64_t>(std::max<std::int64_t>(prompt_tokens, 0));
    const auto output = static_cast<std::uint64_t>(std::max<std::int64_t>(completion_tokens, 0));
    record_.tokens_in = static_cast<std::int64_t>(input);
    record_.tokens_out = static_cast<std::int64_t>(output);
    metrics_.add_tokens(provider, model, input, output);
    metrics_.add_client_tokens(record_.client, input, output);
    if (cost_usd) {
        record_.cost_usd = *cost_usd;
        metrics_.add_cost_usd(provider, model, *cost_usd);
        metrics_.add_client_cost_usd(record_.client, *cost_usd);
    }
}

void RequestObservation::finish() {
    if (finished_) return;
    finished_ = true;
    const double seconds = elapsed_seconds();
    record_.status = status_;
    record_.latency_seconds = seconds;
    metrics_.count_request(record_.provider, record_.model, status_);
    metrics_.count_client_request(record_.client, status_);
    metrics_.observe_request_duration(record_.provider, record_.model, seconds);
}

} // namespace helix::metrics
