#include "daemon/router/attempt_loop.hpp"

#include "daemon/api/errors.hpp"
#include "daemon/metrics/error_kind.hpp"
#include "daemon/plugins/held_headers.hpp"
#include "daemon/plugins/non_blocking_thread.hpp"
#include "daemon/plugins/response_view.hpp"
#include "daemon/router/blocking_call.hpp"
#include "daemon/router/model_lifecycle.hpp"
#include "daemon/router/retry_policy.hpp"
#include "daemon/router/upstream_errors.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace helix::router {

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

struct FailedAttempt {
    std::string target; // provider/model
    std::string provider;
    api::ApiError error;
    Verdict verdict;
    std::uint32_t retry_after_ms;
};

// One candidate's result: a failure to go on from, or the status the client got.
// The failure is on the heap: the coroutine frames a held stream keeps alive
// for minutes hold only a pointer to what a failed attempt would need.
struct AttemptResult {
    std::unique_ptr<FailedAttempt> failure;
    int status = 0;
};

api::ApiError plugin_error(const plugins::PluginFailure &failure, const plugins::ProviderInstance &provider) {
    return api::from_plugin_error(failure.status, &failure.error, provider.name());
}

// 503 naming every attempt and why it failed.
api::ApiError all_failed(const std::vector<FailedAttempt> &failed) {
    std::string message = "All " + std::to_string(failed.size()) + " attempts failed:";
    for (const auto &f : failed)
        message += " " + f.target + " -> " + std::to_string(f.error.status) + " " + f.error.message + ";";
    message.pop_back();
    api::ApiError e = api::service_unavailable(message);
    std::uint32_t soonest = 0;
    for (const auto &f : failed)
        if (f.retry_after_ms > 0 && (soonest == 0 || f.retry_after_ms < soonest)) soonest = f.retry_after_ms;
    e.retry_after_ms = soonest;
    return e;
}

bool is_content(const helix_event &event) {
    return event.type == HELIX_EVENT_TEXT_DELTA || event.type == HELIX_EVENT_TOOL_CALL_DELTA;
}

// Feeds the upstream response to the plugin, its events to the encoder, and
// what a stream sends at once to the reply. The plugin decodes
// synchronously; the payloads it produced are then written, awaited one by
// one, before the transport reads on.
class DecodingSink final : public transport::AsyncResponseSink {
public:
    // max_collected: the most upstream bytes taken for a reply collected in
    // memory (0: none, a stream passes its bytes on).
    DecodingSink(Call &call, Endpoint &endpoint, ReplyEncoder &encoder, ReplyWriter &reply,
                 metrics::RequestObservation &observed, std::size_t max_collected)
        : call_(call), endpoint_(endpoint), encoder_(encoder), reply_(reply), observed_(observed),
          max_collected_(max_collected) {
        events_.struct_size = sizeof events_;
        events_.ctx = this;
        events_.emit = [](void *ctx, const helix_event *e) {
            auto *self = static_cast<DecodingSink *>(ctx);
            self->on_event(*e);
            return self->reply_.gone() ? 1 : 0;
        };
    }

    asio::awaitable<bool> on_head(int status, const transport::Headers &headers) override {
        headers_.assign(headers);
        status_ = status;
        co_return co_await feed({});
    }
    asio::awaitable<bool> on_body(std::string_view data) override {
        received_ += data.size();
        if (max_collected_ > 0 && received_ > max_collected_) {
            too_large_ = true;
            co_return false; // the exchange stops reading
        }
        co_return co_await feed(data);
    }

    // The plugin's failure so far (none: a false one).
    const plugins::PluginFailure &failure() const { return failure_ ? *failure_ : kNoFailure; }
    // A failure outside decode (preparing a call's next part); false when set.
    bool set_failure(plugins::PluginFailure failure) {
        keep(std::move(failure));
        return !failure_;
    }
    bool too_large() const { return too_large_; }

    // The response ended: the plugin's last events.
    bool finish_call() {
        keep(call_.finish(events_));
        return !failure_;
    }

    // Writes what is pending (the stream begins with the first payload).
    asio::awaitable<bool> flush() {
        bool ok = !reply_.gone();
        for (const auto &payload : pending_) {
            if (!ok) break;
            if (!reply_.started()) {
                ok = co_await reply_.begin_stream();
                endpoint_.reply_started();
            }
            if (ok) ok = co_await reply_.write_event(payload);
        }
        pending_.clear();
        co_return ok && !reply_.gone();
    }

    std::vector<std::string> &pending() { return pending_; }

private:
    void on_event(const helix_event &event) {
        if (!first_token_seen_ && is_content(event)) {
            first_token_seen_ = true;
            observed_.first_token();
        }
        encoder_.add(event, pending_);
    }

    asio::awaitable<bool> feed(std::string_view data) {
        decode(data);
        const bool written = co_await flush();
        co_return written && !failure_;
    }

    void decode(std::string_view data) {
        const helix_http_response r = plugins::response_view(status_, headers_.views(), data);
        keep(call_.decode(r, events_));
    }

    void keep(plugins::PluginFailure failure) {
        if (failure)
            failure_ = std::make_unique<plugins::PluginFailure>(std::move(failure));
        else
            failure_.reset();
    }

    static inline const plugins::PluginFailure kNoFailure{};

    Call &call_;
    Endpoint &endpoint_;
    ReplyEncoder &encoder_;
    ReplyWriter &reply_;
    metrics::RequestObservation &observed_;
    helix_event_sink events_{};
    plugins::HeldHeaders headers_;
    int status_ = 0;
    std::unique_ptr<plugins::PluginFailure> failure_;
    std::vector<std::string> pending_;
    bool first_token_seen_ = false;
    const std::size_t max_collected_;
    std::size_t received_ = 0;
    bool too_large_ = false;
};

class AttemptLoop {
public:
    explicit AttemptLoop(AttemptRequest &request)
        : rq_(request), policy_(request.config.router),
          breaker_settings_{policy_.circuit_failures, policy_.circuit_cooldown, policy_.circuit_failure_rate,
                            policy_.circuit_window},
          deadline_(Clock::now() + policy_.deadline) {}

    asio::awaitable<int> run() {
        std::vector<FailedAttempt> failed;
        // When each provider said it may be asked again (its Retry-After).
        std::map<const plugins::ProviderInstance *, Clock::time_point> not_before;
        std::vector<std::string> open_circuits;
        std::vector<std::string> cooling; // providers in a Retry-After cool-down (shared_state)
        std::vector<std::string> limited; // providers over their own rpm/tpm
        std::uint32_t limited_wait = 0;   // ms until the first of them has room
        std::size_t skipped_in_a_row = 0;
        const auto &candidates = rq_.candidates;
        asio::steady_timer timer(co_await asio::this_coro::executor);
        for (std::size_t next = 0; failed.size() < policy_.max_attempts; ++next) {
            const Candidate &candidate = candidates[next % candidates.size()];
            const std::string key = candidate.provider->name() + "/" + candidate.model->id;
            // Before the breaker, which may hand this request its half-open probe.
            limits::Admission quota = co_await provider_quota(*candidate.provider);
            if (!quota.allowed()) {
                rq_.observed.provider_limited(candidate.provider->name());
                const auto wait = static_cast<std::uint32_t>((quota.decision().retry_after + 999) / 1000);
                if (limited_wait == 0 || wait < limited_wait) limited_wait = std::max<std::uint32_t>(wait, 1);
                if (std::find(limited.begin(), limited.end(), candidate.provider->name()) == limited.end())
                    limited.push_back(candidate.provider->name());
                if (++skipped_in_a_row >= candidates.size()) break; // every candidate is closed or over its quota
                continue;
            }
            if (cooling_while_another_is_not(*candidate.provider)) {
                if (std::find(cooling.begin(), cooling.end(), candidate.provider->name()) == cooling.end())
                    cooling.push_back(candidate.provider->name());
                if (++skipped_in_a_row >= candidates.size()) break;
                continue;
            }
            const CircuitBreakers::Pass pass = rq_.breakers.pass(key, breaker_settings_);
            // Shared circuits: one replica of all sends the half-open probe.
            const bool probe = pass == CircuitBreakers::Pass::probe && rq_.shared;
            bool skip = pass == CircuitBreakers::Pass::refused;
            if (probe) {
                const bool mine = co_await rq_.shared->claim_probe(key);
                skip = !mine;
            }
            if (skip) {
                if (std::find(open_circuits.begin(), open_circuits.end(), key) == open_circuits.end())
                    open_circuits.push_back(key);
                if (++skipped_in_a_row >= candidates.size()) break; // every candidate's circuit is open
                continue;
            }
            skipped_in_a_row = 0;
            if (const auto it = not_before.find(candidate.provider); it != not_before.end()) {
                const auto wait = it->second - Clock::now();
                if (wait > policy_.max_retry_wait || it->second > deadline_) break; // not worth waiting for
                if (wait > Clock::duration::zero()) {
                    timer.expires_after(wait);
                    const auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
                    if (ec) co_return 499; // cancelled: the client went away
                }
            }
            if (Clock::now() >= deadline_) break;

            if (!failed.empty()) rq_.observed.failover(failed.back().provider, candidate.provider->name());
            AttemptResult result = co_await attempt(candidate);
            if (probe) rq_.shared->release_probe(key, result.failure && result.failure->verdict == Verdict::try_another);
            const audit::AccessRecord &record = rq_.observed.record();
            quota.settle(result.failure ? 0 : record.tokens_in.value_or(0) + record.tokens_out.value_or(0), std::nullopt);
            if (!result.failure) co_return result.status; // answered: a reply, a stream, or an error the client has seen
            FailedAttempt &failure = *result.failure;
            if (failure.retry_after_ms > 0 && rq_.shared && rq_.cooldowns != nullptr) {
                const std::chrono::milliseconds length(failure.retry_after_ms);
                rq_.cooldowns->cool(candidate.provider->name(), Clock::now() + length);
                rq_.shared->publish_cooldown(candidate.provider->name(), length);
            }
            if (failure.retry_after_ms > 0 || next + 1 >= candidates.size())
                not_before[candidate.provider] =
                    Clock::now() + std::chrono::milliseconds(std::max<std::uint32_t>(failure.retry_after_ms, 200));
            const bool stop = failure.verdict == Verdict::stop;
            failed.push_back(std::move(failure));
            if (stop) break;
        }
        if (failed.empty()) {
            std::string message = "No provider could be tried";
            if (!open_circuits.empty()) {
                message += ": circuit open (recent failures) for";
                for (const auto &k : open_circuits) message += " " + k;
            }
            if (!cooling.empty()) {
                message += std::string(open_circuits.empty() ? ":" : ";") + " cooling down after its Retry-After:";
                for (const auto &p : cooling) message += " " + p;
            }
            if (!limited.empty()) {
                message += std::string(open_circuits.empty() && cooling.empty() ? ":" : ";") +
                           " this gateway's own rate limit for the provider (plugins.<name>.limits) reached for";
                for (const auto &p : limited) message += " " + p;
            }
            api::ApiError error = api::service_unavailable(message + ".");
            error.retry_after_ms = limited_wait;
            co_return co_await fail(error);
        }
        const bool one_target = std::all_of(failed.begin(), failed.end(),
                                            [&](const FailedAttempt &f) { return f.target == failed.front().target; });
        // One provider's own error (e.g. its 429) says most; several need the list.
        if (one_target || failed.back().verdict == Verdict::stop) co_return co_await fail(failed.back().error);
        co_return co_await fail(all_failed(failed));
    }

private:
    asio::awaitable<int> fail(const api::ApiError &error) {
        co_await rq_.reply.fail(error);
        co_return rq_.reply.gone() ? 499 : error.status;
    }

    asio::awaitable<AttemptResult> attempt(const Candidate &candidate) {
        const plugins::ProviderInstance &provider = *candidate.provider;
        const std::string &model_id = candidate.model->id;
        rq_.observed.set_target(provider.name(), model_id);
        rq_.reply.set_header("x-helix-provider", provider.name());
        rq_.reply.set_header("x-helix-model", model_id);
        // The lifecycle of the model asked for (also when a successor serves it).
        const config::ModelLifecycle *lifecycle = candidate.lifecycle;
        rq_.reply.set_header("Deprecation",
                             lifecycle != nullptr && lifecycle->legacy ? deprecation_header(*lifecycle->legacy) : "");
        rq_.reply.set_header("Sunset", lifecycle != nullptr && lifecycle->end_of_life
                                           ? sunset_header(*lifecycle->end_of_life)
                                           : "");
        if (calls_ == 0) {
            const std::string asked = candidate.replaces.empty() ? provider.name() + "/" + model_id : candidate.replaces;
            const auto slash = asked.find('/');
            const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
            rq_.observed.lifecycle(asked.substr(0, slash), asked.substr(slash + 1),
                                   to_string(lifecycle != nullptr ? lifecycle_state(*lifecycle, now)
                                                                  : LifecycleState::active));
        }

        transport::ExchangeLimits limits;
        if (const config::ProviderConfig *pc = rq_.config.find_provider(provider.name()); pc != nullptr) {
            limits.connect_timeout = pc->connect_timeout;
            limits.read_timeout = pc->timeout;
            const std::string &http2 = pc->http2.empty() ? rq_.config.upstream.http2 : pc->http2;
            limits.http2 = http2 == "on"     ? transport::Http2Mode::on
                           : http2 == "auto" ? transport::Http2Mode::automatic
                                             : transport::Http2Mode::off;
        }
        limits.deadline = deadline_; // the whole loop's budget bounds the upstream reads too
        const std::string key = provider.name() + "/" + model_id;
        // Only failures worth a retry count against the circuit; a client
        // error says nothing about the provider's health.
        const auto failed = [&](const api::ApiError &error, Verdict verdict, bool health_failure = true) {
            if (verdict == Verdict::try_another && health_failure) {
                if (rq_.breakers.failed(key, breaker_settings_) && rq_.shared) rq_.shared->publish_open(key);
            } else
                rq_.breakers.released(key);
            return AttemptResult{std::make_unique<FailedAttempt>(
                                     FailedAttempt{key, provider.name(), error, verdict, error.retry_after_ms}),
                                 0};
        };

        // Media URLs of a model that takes them inline are fetched first; a
        // URL that cannot be is the client's error, whoever would serve it.
        if (auto refused = co_await rq_.endpoint.before_prepare(candidate, rq_.transport, deadline_))
            co_return failed(*refused, Verdict::stop);

        // A provider whose credentials were refused (an expired cloud token)
        // has dropped them; one more prepare() fetches fresh ones.
        for (int auth_retry = 0;; ++auth_retry) {
            rq_.reply.set_header("x-helix-attempts", std::to_string(++calls_));
            std::unique_ptr<plugins::PluginFailure> refused;
            auto preparing = prepare(candidate, refused); // named: see serve_endpoint() in event_session.cpp
            const std::unique_ptr<Call> prepared = co_await std::move(preparing);
            if (!prepared) { // e.g. a feature this provider lacks
                const plugins::PluginFailure &f = *refused;
                co_return failed(plugin_error(f, provider), after_plugin_failure(f.status),
                                 f.status != HELIX_ERR_NOT_SUPPORTED && f.status != HELIX_ERR_INVALID_REQUEST);
            }
            Call &call = *prepared;

            const auto encoder = rq_.endpoint.encoder(candidate);
            const std::size_t max_reply = rq_.config.server.max_reply_bytes;
            DecodingSink sink(call, rq_.endpoint, *encoder, rq_.reply, rq_.observed, rq_.endpoint.streamed() ? 0 : max_reply);
            const auto upstream_started = Clock::now();
            transport::ExchangeResult result = co_await rq_.transport.exchange(call.request(), limits, sink);
            bool finished = false;
            // A call of several parts (a batch split by the provider's limit)
            // sends them one after the other; any failure fails the attempt.
            while (!sink.too_large() && !sink.failure() && result.error == transport::ExchangeError::none) {
                finished = sink.finish_call();
                co_await sink.flush();
                if (!finished || !call.more() || rq_.reply.gone()) break;
                finished = false;
                auto advancing = advance(call, sink);
                if (!co_await std::move(advancing)) break;
                result = co_await rq_.transport.exchange(call.request(), limits, sink);
            }
            const double upstream_seconds = std::chrono::duration<double>(Clock::now() - upstream_started).count();
            if (rq_.reply.gone()) { // nobody to answer; the upstream call is closed
                rq_.breakers.released(key);
                rq_.observed.attempt(provider.name(), model_id, upstream_seconds, metrics::AttemptOutcome::abandoned);
                co_return AttemptResult{nullptr, 499};
            }
            std::optional<api::ApiError> error;
            Verdict verdict = Verdict::stop;
            const auto record_failure = [&](std::optional<metrics::ErrorKind> kind) {
                rq_.observed.attempt(provider.name(), model_id, upstream_seconds, metrics::AttemptOutcome::failure,
                                     kind, error->status);
            };
            if (sink.too_large()) {
                error = api::bad_gateway("The reply of " + provider.name() + " is larger than this gateway collects for a "
                                         "non-streamed request (server.max_reply, " + std::to_string(max_reply) +
                                         " bytes); ask for a stream instead.");
                record_failure(metrics::error_kind(HELIX_ERR_PROTOCOL, error->status));
                verdict = Verdict::stop; // another provider's reply to the same request is as large
            } else if (sink.failure()) {
                const bool refresh = sink.failure().status == HELIX_ERR_AUTH && auth_retry == 0 && !rq_.reply.started();
                error = plugin_error(sink.failure(), provider);
                record_failure(metrics::error_kind(sink.failure().status, error->status));
                if (refresh) continue;
                verdict = after_plugin_failure(sink.failure().status);
            } else if (result.error != transport::ExchangeError::none) {
                error = from_exchange_failure(result, provider.name());
                record_failure(metrics::error_kind(result.error));
                verdict = after_exchange_failure(result.error);
            } else if (!finished) {
                error = plugin_error(sink.failure(), provider);
                record_failure(metrics::error_kind(sink.failure().status, error->status));
                verdict = after_plugin_failure(sink.failure().status);
            }
            if (!error) {
                if (rq_.breakers.succeeded(key, breaker_settings_) && rq_.shared) rq_.shared->publish_closed(key);
                rq_.observed.attempt(provider.name(), model_id, upstream_seconds, metrics::AttemptOutcome::success);
                const int status = co_await complete(*encoder, sink);
                co_return AttemptResult{nullptr, status};
            }
            // Once the first byte has gone to the client a stream cannot
            // start over elsewhere: it ends with an error event instead.
            if (rq_.reply.started()) {
                failed(*error, verdict);
                encoder->failed(*error, sink.pending());
                if (sink.pending().empty()) {
                    co_await rq_.reply.fail(*error);
                } else {
                    const bool written = co_await sink.flush();
                    if (written) co_await rq_.reply.finish(false);
                }
                co_return AttemptResult{nullptr, 200}; // the status that went out
            }
            co_return failed(*error, verdict);
        }
    }

    // With shared_state, a provider in a Retry-After cool-down (seen here
    // or by another replica) is skipped while a candidate not cooling down
    // remains; when every one is, the loop goes on as without it.
    bool cooling_while_another_is_not(const plugins::ProviderInstance &provider) const {
        if (!rq_.shared || rq_.cooldowns == nullptr) return false;
        const auto now = Clock::now();
        if (!rq_.cooldowns->until(provider.name(), now)) return false;
        return std::any_of(rq_.candidates.begin(), rq_.candidates.end(), [&](const Candidate &c) {
            return !rq_.cooldowns->until(c.provider->name(), now);
        });
    }

    // An admission by the provider's own limits (always allowed without any).
    asio::awaitable<limits::Admission> provider_quota(const plugins::ProviderInstance &provider) {
        if (rq_.limiter == nullptr) co_return limits::Admission{};
        const config::ProviderConfig *pc = rq_.config.find_provider(provider.name());
        if (pc == nullptr || !pc->limits.any()) co_return limits::Admission{};
        co_return co_await rq_.limiter->admit(limits::ProviderDemand{provider.name(), pc->limits, rq_.tokens});
    }

    // The candidate's call, prepared on this loop or else on the worker pool;
    // null when the plugin refused, and `refused` says why.
    asio::awaitable<std::unique_ptr<Call>> prepare(const Candidate &candidate,
                                                   std::unique_ptr<plugins::PluginFailure> &refused) {
        Prepared prepared = prepare_without_blocking(candidate);
        if (prepared.failure.status == HELIX_ERR_WOULD_BLOCK) // a token to fetch: on the worker pool
            prepared = co_await blocking_call(rq_.blocking, [&] { return rq_.endpoint.prepare(candidate); });
        if (prepared.failure || !prepared.call) {
            refused = std::make_unique<plugins::PluginFailure>(std::move(prepared.failure));
            co_return nullptr;
        }
        co_return std::move(prepared.call);
    }

    // The next part of a call of several (on the worker pool: it may block); false when it failed.
    asio::awaitable<bool> advance(Call &call, DecodingSink &sink) {
        plugins::PluginFailure failure = co_await blocking_call(rq_.blocking, [&] { return call.advance(); });
        co_return sink.set_failure(std::move(failure));
    }

    // prepare() on this loop, where a plugin that would have to fetch (or
    // wait for another thread's fetch) returns HELIX_ERR_WOULD_BLOCK at once
    // instead: most calls reuse a cached token and skip the pool's two
    // context switches.
    Prepared prepare_without_blocking(const Candidate &candidate) {
        const plugins::NonBlockingScope loop_thread;
        return rq_.endpoint.prepare(candidate);
    }

    // The answer of a call that succeeded.
    asio::awaitable<int> complete(ReplyEncoder &encoder, DecodingSink &sink) {
        std::string body = encoder.finish(sink.pending(), rq_.reply);
        if (!rq_.endpoint.streamed()) {
            co_await rq_.reply.send(200, std::move(body));
        } else {
            bool ok = co_await sink.flush();
            if (ok && !rq_.reply.started()) ok = co_await rq_.reply.begin_stream();
            if (ok) co_await rq_.reply.finish(encoder.done_marker());
        }
        co_return 200; // what went out, even if the client left during the last write
    }

    AttemptRequest &rq_;
    const config::RouterSettings &policy_;
    const CircuitBreakers::Settings breaker_settings_;
    const Clock::time_point deadline_;
    int calls_ = 0;
};

} // namespace

asio::awaitable<int> run_attempts(AttemptRequest request) {
    AttemptLoop loop(request);
    co_return co_await loop.run();
}

} // namespace helix::router
