#define BOOST_TEST_MODULE metrics
#include <boost/test/unit_test.hpp>

#include "daemon/metrics/error_kind.hpp"
#include "daemon/metrics/metrics.hpp"
#include "exposition.hpp"

#include <atomic>
#include <cmath>
#include <limits>
#include <set>
#include <thread>
#include <vector>

using namespace helix::metrics;
using helix::test::has_sample;
using helix::test::sample_value;
using helix::test::samples_named;

namespace {

bool contains(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

// A Metrics that knows two providers: openai (gpt-4o, gpt-4o-mini) and bedrock (claude).
struct Fixture {
    Metrics m{"9.8.7"};
    Fixture() { m.allow_targets({{"openai", "gpt-4o"}, {"openai", "gpt-4o-mini"}, {"bedrock", "claude"}}); }
};

using L = std::map<std::string, std::string>;

} // namespace

// Every family and its type.
const std::vector<std::pair<std::string, std::string>> all_families{
    {"helixagent_requests_total", "counter"},
    {"helixagent_request_duration_seconds", "histogram"},
    {"helixagent_upstream_duration_seconds", "histogram"},
    {"helixagent_time_to_first_token_seconds", "histogram"},
    {"helixagent_tokens_total", "counter"},
    {"helixagent_cost_usd_total", "counter"},
    {"helixagent_errors_total", "counter"},
    {"helixagent_failovers_total", "counter"},
    {"helixagent_attempts_total", "counter"},
    {"helixagent_circuit_state", "gauge"},
    {"helixagent_in_flight_requests", "gauge"},
    {"helixagent_config_reloads_total", "counter"},
    {"helixagent_plugins_loaded", "gauge"},
    {"helixagent_build_info", "gauge"},
};

// Families whose label values are all known up front are there from the
// start; the others (prometheus-cpp leaves out a family without series)
// from their first sample.
BOOST_AUTO_TEST_CASE(fixed_families_are_exposed_from_the_start) {
    Metrics m("9.8.7");
    const std::string text = m.serialize();
    for (const std::string name : {"helixagent_in_flight_requests", "helixagent_config_reloads_total",
                                   "helixagent_plugins_loaded", "helixagent_build_info"}) {
        BOOST_TEST(contains(text, "# HELP " + name + " "), name);
        BOOST_TEST(contains(text, "# TYPE " + name + " "), name);
    }
    BOOST_TEST(sample_value(text, "helixagent_build_info", {{"version", "9.8.7"}}) == 1.0);
    BOOST_TEST(sample_value(text, "helixagent_config_reloads_total", {{"result", "success"}}) == 0.0);
    BOOST_TEST(sample_value(text, "helixagent_config_reloads_total", {{"result", "failure"}}) == 0.0);
    BOOST_TEST(sample_value(text, "helixagent_plugins_loaded") == 0.0);
    BOOST_TEST(sample_value(text, "helixagent_in_flight_requests") == 0.0);
    BOOST_TEST(samples_named(text, "helixagent_requests_total").empty());
}

BOOST_FIXTURE_TEST_CASE(requests_are_counted_by_provider_model_and_status, Fixture) {
    m.count_request("openai", "gpt-4o", 200);
    m.count_request("openai", "gpt-4o", 200);
    m.count_request("openai", "gpt-4o", 429);
    m.count_request("bedrock", "claude", 503);
    const std::string text = m.serialize();
    const std::string name = "helixagent_requests_total";
    BOOST_TEST(sample_value(text, name, L{{"provider", "openai"}, {"model", "gpt-4o"}, {"status", "200"}}) == 2.0);
    BOOST_TEST(sample_value(text, name, L{{"provider", "openai"}, {"model", "gpt-4o"}, {"status", "429"}}) == 1.0);
    BOOST_TEST(sample_value(text, name, L{{"provider", "bedrock"}, {"model", "claude"}, {"status", "503"}}) == 1.0);
    BOOST_TEST(samples_named(text, name).size() == 3u);
}

BOOST_FIXTURE_TEST_CASE(unknown_providers_and_models_become_other_and_missing_ones_none, Fixture) {
    m.count_request("openai", "gpt-5-from-the-client", 404);
    m.count_request("openai", "another-made-up-model", 404);
    m.count_request("evil-provider", "gpt-4o", 200);
    m.count_request("", "", 400);
    m.count_request("bedrock", "", 502);
    m.count_error("not-configured", ErrorKind::connect);
    m.count_failover("openai", "somewhere-else");
    m.add_tokens("openai", "made-up", 5, 7);
    const std::string text = m.serialize();
    const std::string name = "helixagent_requests_total";
    BOOST_TEST(sample_value(text, name, L{{"provider", "openai"}, {"model", "other"}, {"status", "404"}}) == 2.0);
    BOOST_TEST(sample_value(text, name, L{{"provider", "other"}, {"model", "other"}, {"status", "200"}}) == 1.0);
    BOOST_TEST(sample_value(text, name, L{{"provider", "none"}, {"model", "none"}, {"status", "400"}}) == 1.0);
    BOOST_TEST(sample_value(text, name, L{{"provider", "bedrock"}, {"model", "none"}, {"status", "502"}}) == 1.0);
    BOOST_TEST(sample_value(text, "helixagent_errors_total", L{{"provider", "other"}, {"kind", "connect"}}) == 1.0);
    BOOST_TEST(sample_value(text, "helixagent_failovers_total",
                            L{{"from_provider", "openai"}, {"to_provider", "other"}}) == 1.0);
    BOOST_TEST(sample_value(text, "helixagent_tokens_total",
                            L{{"provider", "openai"}, {"model", "other"}, {"direction", "output"}}) == 7.0);
    for (const char *raw : {"gpt-5-from-the-client", "another-made-up-model", "evil-provider", "not-configured",
                            "somewhere-else", "made-up"})
        BOOST_TEST(!contains(text, raw), raw << " became a label value");

    // A model allowed for one provider is not allowed for another.
    m.count_request("bedrock", "gpt-4o", 200);
    BOOST_TEST(sample_value(m.serialize(), name, L{{"provider", "bedrock"}, {"model", "other"}, {"status", "200"}}) ==
               1.0);
}

BOOST_FIXTURE_TEST_CASE(a_later_configuration_adds_targets_and_keeps_the_earlier_ones, Fixture) {
    m.allow_targets({{"vertex", "gemini"}});
    BOOST_TEST(m.target_labels("vertex", "gemini").model == "gemini");
    BOOST_TEST(m.target_labels("openai", "gpt-4o").model == "gpt-4o");
    BOOST_TEST(m.provider_label("vertex") == "vertex");
    BOOST_TEST(m.provider_label("azure") == "other");
    BOOST_TEST(m.provider_label("") == "none");
}

// Series are found again by their raw names (no Family::Add per sample);
// a name counted as "other" gets its own series once a configuration allows it.
BOOST_FIXTURE_TEST_CASE(a_name_allowed_later_leaves_other_for_its_own_series, Fixture) {
    const std::string name = "helixagent_requests_total";
    m.count_request("vertex", "gemini", 200);
    m.observe_upstream_duration("vertex", "gemini", 0.5);
    m.allow_targets({{"vertex", "gemini"}});
    m.count_request("vertex", "gemini", 200);
    m.count_request("vertex", "gemini", 200);
    m.observe_upstream_duration("vertex", "gemini", 0.5);
    const std::string text = m.serialize();
    BOOST_TEST(sample_value(text, name, L{{"provider", "other"}, {"model", "other"}, {"status", "200"}}) == 1.0);
    BOOST_TEST(sample_value(text, name, L{{"provider", "vertex"}, {"model", "gemini"}, {"status", "200"}}) == 2.0);
    BOOST_TEST(sample_value(text, "helixagent_upstream_duration_seconds_count",
                            L{{"provider", "vertex"}, {"model", "gemini"}}) == 1.0);
    BOOST_TEST(sample_value(text, "helixagent_upstream_duration_seconds_count",
                            L{{"provider", "other"}, {"model", "other"}}) == 1.0);

    m.set_client_label(true);
    m.count_client_request("carol", 200);
    m.allow_clients({"carol"});
    m.count_client_request("carol", 200);
    const std::string clients = m.serialize();
    BOOST_TEST(sample_value(clients, "helixagent_client_requests_total", L{{"client", "other"}, {"status", "200"}}) == 1.0);
    BOOST_TEST(sample_value(clients, "helixagent_client_requests_total", L{{"client", "carol"}, {"status", "200"}}) == 1.0);
}

// Raw names longer than the key's inline room, and names that differ only
// in where one value ends and the next begins, are series of their own.
BOOST_AUTO_TEST_CASE(series_keys_keep_long_and_shifted_names_apart) {
    Metrics m("1");
    const std::string long_model(300, 'm');
    m.allow_targets({{"p", long_model}, {"p", long_model + "x"}, {"ab", "c"}, {"a", "bc"}});
    m.count_request("p", long_model, 200);
    m.count_request("p", long_model + "x", 200);
    m.count_request("p", long_model + "x", 200);
    m.count_request("ab", "c", 200);
    m.count_request("a", "bc", 200);
    m.count_request("a", "bc", 200);
    const std::string text = m.serialize();
    const std::string name = "helixagent_requests_total";
    BOOST_TEST(sample_value(text, name, L{{"provider", "p"}, {"model", long_model}, {"status", "200"}}) == 1.0);
    BOOST_TEST(sample_value(text, name, L{{"provider", "p"}, {"model", long_model + "x"}, {"status", "200"}}) == 2.0);
    BOOST_TEST(sample_value(text, name, L{{"provider", "ab"}, {"model", "c"}, {"status", "200"}}) == 1.0);
    BOOST_TEST(sample_value(text, name, L{{"provider", "a"}, {"model", "bc"}, {"status", "200"}}) == 2.0);
}

BOOST_AUTO_TEST_CASE(allowed_targets_stop_growing_at_their_caps) {
    Metrics m("1");
    std::vector<Target> many;
    for (std::size_t i = 0; i < Metrics::max_targets + 100; ++i)
        many.push_back({"p" + std::to_string(i % 10), "m" + std::to_string(i)});
    for (std::size_t i = 0; i < Metrics::max_providers + 10; ++i) many.push_back({"q" + std::to_string(i), ""});
    m.allow_targets(many);
    std::size_t allowed_models = 0;
    for (std::size_t i = 0; i < Metrics::max_targets + 100; ++i)
        if (m.target_labels("p" + std::to_string(i % 10), "m" + std::to_string(i)).model != "other") ++allowed_models;
    BOOST_TEST(allowed_models == Metrics::max_targets);
    std::size_t allowed_providers = 0;
    for (std::size_t i = 0; i < 10; ++i) allowed_providers += m.provider_label("p" + std::to_string(i)) != "other";
    for (std::size_t i = 0; i < Metrics::max_providers + 10; ++i)
        allowed_providers += m.provider_label("q" + std::to_string(i)) != "other";
    BOOST_TEST(allowed_providers == Metrics::max_providers);
}

BOOST_AUTO_TEST_CASE(status_labels_are_exact_for_common_codes_and_classes_otherwise) {
    BOOST_TEST(status_label(200) == "200");
    BOOST_TEST(status_label(429) == "429");
    BOOST_TEST(status_label(499) == "499");
    BOOST_TEST(status_label(503) == "503");
    BOOST_TEST(status_label(529) == "5xx");
    BOOST_TEST(status_label(418) == "4xx");
    BOOST_TEST(status_label(201) == "2xx");
    BOOST_TEST(status_label(0) == "other");
    BOOST_TEST(status_label(-1) == "other");
    BOOST_TEST(status_label(600) == "other");
    std::set<std::string> all;
    for (int code = -1000; code < 2000; ++code) all.insert(status_label(code));
    BOOST_TEST(all.size() == 14u + 5u + 1u);
}

BOOST_FIXTURE_TEST_CASE(histograms_use_buckets_from_50_ms_to_120_s, Fixture) {
    m.observe_request_duration("openai", "gpt-4o", 0.3);
    m.observe_request_duration("openai", "gpt-4o", 200.0);
    m.observe_request_duration("openai", "gpt-4o", std::numeric_limits<double>::quiet_NaN()); // as 0
    m.observe_upstream_duration("bedrock", "claude", 1.5);
    m.observe_time_to_first_token("bedrock", "claude", 0.07);
    const std::string text = m.serialize();

    const L target{{"provider", "openai"}, {"model", "gpt-4o"}};
    std::vector<std::string> bounds;
    for (const auto &s : samples_named(text, "helixagent_request_duration_seconds_bucket")) {
        BOOST_TEST(s.labels.at("provider") == "openai");
        bounds.push_back(s.labels.at("le"));
    }
    const std::vector<std::string> expected{"0.05", "0.1", "0.25", "0.5", "1",  "2.5", "5",
                                            "10",   "20",  "30",   "60",  "120", "+Inf"};
    BOOST_TEST(bounds == expected, boost::test_tools::per_element());
    auto bucket = [&](const std::string &name, L labels, const std::string &le) {
        labels["le"] = le;
        return sample_value(text, name + "_bucket", labels);
    };
    BOOST_TEST(bucket("helixagent_request_duration_seconds", target, "0.05") == 1.0); // the NaN, as 0
    BOOST_TEST(bucket("helixagent_request_duration_seconds", target, "0.25") == 1.0);
    BOOST_TEST(bucket("helixagent_request_duration_seconds", target, "0.5") == 2.0);
    BOOST_TEST(bucket("helixagent_request_duration_seconds", target, "120") == 2.0);
    BOOST_TEST(bucket("helixagent_request_duration_seconds", target, "+Inf") == 3.0);
    BOOST_TEST(sample_value(text, "helixagent_request_duration_seconds_count", target) == 3.0);
    BOOST_TEST(std::abs(sample_value(text, "helixagent_request_duration_seconds_sum", target) - 200.3) < 1e-9);

    const L claude{{"provider", "bedrock"}, {"model", "claude"}};
    BOOST_TEST(bucket("helixagent_upstream_duration_seconds", claude, "1") == 0.0);
    BOOST_TEST(bucket("helixagent_upstream_duration_seconds", claude, "2.5") == 1.0);
    BOOST_TEST(bucket("helixagent_time_to_first_token_seconds", claude, "0.05") == 0.0);
    BOOST_TEST(bucket("helixagent_time_to_first_token_seconds", claude, "0.1") == 1.0);
    // Nothing observed for openai's first token: no series.
    BOOST_TEST(!has_sample(text, "helixagent_time_to_first_token_seconds_count", target));
}

BOOST_FIXTURE_TEST_CASE(tokens_and_cost_add_up_and_ignore_nonsense, Fixture) {
    m.add_tokens("openai", "gpt-4o-mini", 100, 20);
    m.add_tokens("openai", "gpt-4o-mini", 50, 0);
    m.add_tokens("bedrock", "claude", 0, 0);
    m.add_cost_usd("openai", "gpt-4o-mini", 0.0125);
    m.add_cost_usd("openai", "gpt-4o-mini", 0.5);
    m.add_cost_usd("openai", "gpt-4o-mini", -3);
    m.add_cost_usd("openai", "gpt-4o-mini", std::numeric_limits<double>::quiet_NaN());
    m.add_cost_usd("openai", "gpt-4o-mini", std::numeric_limits<double>::infinity());
    m.add_cost_usd("bedrock", "claude", 0);
    const std::string text = m.serialize();
    const L mini{{"provider", "openai"}, {"model", "gpt-4o-mini"}};
    auto with = [](L l, const std::string &direction) {
        l["direction"] = direction;
        return l;
    };
    BOOST_TEST(sample_value(text, "helixagent_tokens_total", with(mini, "input")) == 150.0);
    BOOST_TEST(sample_value(text, "helixagent_tokens_total", with(mini, "output")) == 20.0);
    BOOST_TEST(samples_named(text, "helixagent_tokens_total").size() == 2u);
    BOOST_TEST(std::abs(sample_value(text, "helixagent_cost_usd_total", mini) - 0.5125) < 1e-12);
    BOOST_TEST(samples_named(text, "helixagent_cost_usd_total").size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(attempts_errors_and_failovers, Fixture) {
    m.record_attempt("openai", "gpt-4o", 0.8, AttemptOutcome::failure, ErrorKind::rate_limited);
    m.count_failover("openai", "bedrock");
    m.record_attempt("bedrock", "claude", 2.0, AttemptOutcome::success);
    m.record_attempt("bedrock", "claude", 0.1, AttemptOutcome::abandoned, ErrorKind::client);
    const std::string text = m.serialize();
    BOOST_TEST(sample_value(text, "helixagent_attempts_total", L{{"provider", "openai"}, {"outcome", "failure"}}) ==
               1.0);
    BOOST_TEST(sample_value(text, "helixagent_attempts_total", L{{"provider", "bedrock"}, {"outcome", "success"}}) ==
               1.0);
    BOOST_TEST(sample_value(text, "helixagent_attempts_total",
                            L{{"provider", "bedrock"}, {"outcome", "abandoned"}}) == 1.0);
    BOOST_TEST(sample_value(text, "helixagent_errors_total", L{{"provider", "openai"}, {"kind", "rate_limited"}}) ==
               1.0);
    BOOST_TEST(sample_value(text, "helixagent_errors_total", L{{"provider", "bedrock"}, {"kind", "client"}}) == 1.0);
    BOOST_TEST(samples_named(text, "helixagent_errors_total").size() == 2u);
    BOOST_TEST(sample_value(text, "helixagent_failovers_total",
                            L{{"from_provider", "openai"}, {"to_provider", "bedrock"}}) == 1.0);
    BOOST_TEST(sample_value(text, "helixagent_upstream_duration_seconds_count",
                            L{{"provider", "bedrock"}, {"model", "claude"}}) == 2.0);
}

BOOST_FIXTURE_TEST_CASE(gauges_and_reload_counters, Fixture) {
    m.set_circuit_state("openai", "gpt-4o", CircuitState::open);
    m.set_circuit_state("bedrock", "claude", CircuitState::half_open);
    m.set_circuit_state("bedrock", "claude", CircuitState::closed);
    m.set_in_flight(7);
    m.set_plugins_loaded(3);
    m.count_config_reload(true);
    m.count_config_reload(false);
    m.count_config_reload(false);
    std::string text = m.serialize();
    BOOST_TEST(sample_value(text, "helixagent_circuit_state", L{{"provider", "openai"}, {"model", "gpt-4o"}}) == 2.0);
    BOOST_TEST(sample_value(text, "helixagent_circuit_state", L{{"provider", "bedrock"}, {"model", "claude"}}) == 0.0);
    BOOST_TEST(sample_value(text, "helixagent_in_flight_requests") == 7.0);
    BOOST_TEST(sample_value(text, "helixagent_plugins_loaded") == 3.0);
    BOOST_TEST(sample_value(text, "helixagent_config_reloads_total", {{"result", "success"}}) == 1.0);
    BOOST_TEST(sample_value(text, "helixagent_config_reloads_total", {{"result", "failure"}}) == 2.0);
    m.set_in_flight(-2); // never below zero
    BOOST_TEST(sample_value(m.serialize(), "helixagent_in_flight_requests") == 0.0);
}

BOOST_FIXTURE_TEST_CASE(scrape_hooks_run_before_each_serialization, Fixture) {
    int calls = 0;
    m.add_scrape_hook([&calls](Metrics &metrics) {
        ++calls;
        metrics.set_circuit_state("openai", "gpt-4o-mini", CircuitState::open);
    });
    const std::string text = m.serialize();
    BOOST_TEST(calls == 1);
    BOOST_TEST(sample_value(text, "helixagent_circuit_state", L{{"provider", "openai"}, {"model", "gpt-4o-mini"}}) ==
               2.0);
    m.serialize();
    BOOST_TEST(calls == 2);
}

BOOST_FIXTURE_TEST_CASE(a_request_observation_records_once_with_its_last_target_and_status, Fixture) {
    {
        RequestObservation request(m);
        request.set_target("openai", "gpt-4o");
        request.set_target("bedrock", "claude"); // failed over
        request.first_token();
        request.first_token();
        request.set_status(200);
    }
    {
        RequestObservation request(m); // never told anything: an exception escaped
    }
    {
        RequestObservation request(m);
        request.set_target("openai", "gpt-4o");
        request.set_status(429);
        request.finish();
        request.set_status(200); // too late: already recorded
    }
    const std::string text = m.serialize();
    const L claude{{"provider", "bedrock"}, {"model", "claude"}};
    BOOST_TEST(sample_value(text, "helixagent_requests_total",
                            L{{"provider", "bedrock"}, {"model", "claude"}, {"status", "200"}}) == 1.0);
    BOOST_TEST(sample_value(text, "helixagent_requests_total",
                            L{{"provider", "none"}, {"model", "none"}, {"status", "500"}}) == 1.0);
    BOOST_TEST(sample_value(text, "helixagent_requests_total",
                            L{{"provider", "openai"}, {"model", "gpt-4o"}, {"status", "429"}}) == 1.0);
    BOOST_TEST(samples_named(text, "helixagent_requests_total").size() == 3u);
    BOOST_TEST(sample_value(text, "helixagent_request_duration_seconds_count", claude) == 1.0);
    BOOST_TEST(sample_value(text, "helixagent_time_to_first_token_seconds_count", claude) == 1.0);
}

BOOST_FIXTURE_TEST_CASE(an_observation_puts_the_same_facts_in_its_record_and_the_metrics, Fixture) {
    helix::audit::AccessRecord record;
    record.client = "alice";
    {
        RequestObservation request(m, &record);
        request.set_target("openai", "gpt-4o");
        request.attempt("openai", "gpt-4o", 0.25, AttemptOutcome::failure, ErrorKind::rate_limited, 429);
        request.failover("openai", "bedrock");
        request.set_target("bedrock", "claude");
        request.first_token();
        request.attempt("bedrock", "claude", 0.5, AttemptOutcome::success);
        request.usage("bedrock", "claude", 12, 34, 0.002);
        request.set_status(200);
    }
    BOOST_TEST(record.provider == "bedrock");
    BOOST_TEST(record.model == "claude");
    BOOST_TEST(record.status == 200);
    BOOST_TEST_REQUIRE(record.attempts.size() == 2U);
    BOOST_TEST(record.attempts[0].outcome == "failure");
    BOOST_TEST(record.attempts[0].error == "rate_limited");
    BOOST_TEST(record.attempts[0].status == 429);
    BOOST_TEST(record.attempts[1].outcome == "success");
    BOOST_TEST(record.attempts[1].error.empty());
    BOOST_TEST(record.tokens_in.value_or(-1) == 12);
    BOOST_TEST(record.tokens_out.value_or(-1) == 34);
    BOOST_TEST(record.cost_usd.value_or(0) == 0.002);
    BOOST_TEST(record.first_token_seconds.has_value());
    BOOST_TEST(record.latency_seconds.value_or(-1) >= *record.first_token_seconds);

    const std::string text = m.serialize();
    BOOST_TEST(sample_value(text, "helixagent_requests_total",
                            L{{"provider", "bedrock"}, {"model", "claude"}, {"status", "200"}}) == 1.0);
    BOOST_TEST(sample_value(text, "helixagent_attempts_total", L{{"provider", "openai"}, {"outcome", "failure"}}) == 1.0);
    BOOST_TEST(sample_value(text, "helixagent_errors_total", L{{"provider", "openai"}, {"kind", "rate_limited"}}) ==
               1.0);
    BOOST_TEST(sample_value(text, "helixagent_failovers_total",
                            L{{"from_provider", "openai"}, {"to_provider", "bedrock"}}) == 1.0);
    BOOST_TEST(sample_value(text, "helixagent_tokens_total",
                            L{{"provider", "bedrock"}, {"model", "claude"}, {"direction", "output"}}) == 34.0);
    // Client labels are off by default: no client series at all.
    BOOST_TEST(!contains(text, "helixagent_client_requests_total{"), text);
}

BOOST_FIXTURE_TEST_CASE(client_series_only_when_enabled_and_only_for_configured_names, Fixture) {
    m.allow_clients({"alice", "bob"});
    const auto request_from = [&](const std::string &client, int status) {
        helix::audit::AccessRecord record;
        record.client = client;
        RequestObservation request(m, &record);
        request.set_target("openai", "gpt-4o");
        request.usage("openai", "gpt-4o", 10, 5, 0.01);
        request.set_status(status);
    };
    request_from("alice", 200); // off: not counted per client
    m.set_client_label(true);
    request_from("alice", 200);
    request_from("alice", 403);
    request_from("mallory", 200); // not a configured name
    const std::string text = m.serialize();
    BOOST_TEST(sample_value(text, "helixagent_client_requests_total", L{{"client", "alice"}, {"status", "200"}}) == 1.0);
    BOOST_TEST(sample_value(text, "helixagent_client_requests_total", L{{"client", "alice"}, {"status", "403"}}) == 1.0);
    BOOST_TEST(sample_value(text, "helixagent_client_requests_total", L{{"client", "other"}, {"status", "200"}}) == 1.0);
    BOOST_TEST(sample_value(text, "helixagent_client_tokens_total", L{{"client", "alice"}, {"direction", "input"}}) ==
               20.0);
    BOOST_TEST(std::abs(sample_value(text, "helixagent_client_cost_usd_total", L{{"client", "alice"}}) - 0.02) < 1e-9);
    BOOST_TEST(!contains(text, "mallory"));
    // The set of names is capped, whatever the configuration holds.
    std::vector<std::string> many;
    for (std::size_t i = 0; i < Metrics::max_clients + 10; ++i) many.push_back("k" + std::to_string(i));
    m.allow_clients(many);
    BOOST_TEST(m.client_label("k" + std::to_string(Metrics::max_clients + 5)) == "other");
    const auto result = helix::test::promtool_check_metrics(text);
    BOOST_TEST(result.output.empty(), "promtool said:\n" << result.output);
}

BOOST_AUTO_TEST_CASE(error_kinds_from_transport_plugin_and_status) {
    using helix::transport::ExchangeError;
    BOOST_TEST(to_string(error_kind(ExchangeError::connect_failed)) == std::string("connect"));
    BOOST_TEST(to_string(error_kind(ExchangeError::timeout)) == std::string("timeout"));
    BOOST_TEST(to_string(error_kind(ExchangeError::reset)) == std::string("reset"));
    BOOST_TEST(to_string(error_kind(ExchangeError::cancelled)) == std::string("client"));
    BOOST_TEST(to_string(error_kind(ExchangeError::bad_request)) == std::string("internal"));

    BOOST_TEST(to_string(error_kind(HELIX_ERR_RETRY, 429)) == std::string("rate_limited"));
    BOOST_TEST(to_string(error_kind(HELIX_ERR_RETRY, 503)) == std::string("upstream_5xx"));
    BOOST_TEST(to_string(error_kind(HELIX_ERR_RETRY, 529)) == std::string("upstream_5xx"));
    BOOST_TEST(to_string(error_kind(HELIX_ERR_RETRY, 0)) == std::string("upstream_5xx"));
    BOOST_TEST(to_string(error_kind(HELIX_ERR_UPSTREAM, 404)) == std::string("upstream_4xx"));
    BOOST_TEST(to_string(error_kind(HELIX_ERR_UPSTREAM, 0)) == std::string("upstream_4xx"));
    BOOST_TEST(to_string(error_kind(HELIX_ERR_UPSTREAM, 500)) == std::string("upstream_5xx"));
    BOOST_TEST(to_string(error_kind(HELIX_ERR_AUTH, 401)) == std::string("auth"));
    BOOST_TEST(to_string(error_kind(HELIX_ERR_PROTOCOL, 502)) == std::string("protocol"));
    BOOST_TEST(to_string(error_kind(HELIX_ERR_INVALID_REQUEST, 400)) == std::string("client"));
    BOOST_TEST(to_string(error_kind(HELIX_ERR_NOT_SUPPORTED, 400)) == std::string("client"));
    BOOST_TEST(to_string(error_kind(HELIX_ERR_INTERNAL, 500)) == std::string("internal"));
    BOOST_TEST(to_string(error_kind(HELIX_ERR_CONFIG, 0)) == std::string("internal"));

    BOOST_TEST(!error_kind_for_status(200).has_value());
    BOOST_TEST(to_string(*error_kind_for_status(403)) == std::string("auth"));
    BOOST_TEST(to_string(*error_kind_for_status(413)) == std::string("upstream_4xx"));
}

BOOST_AUTO_TEST_CASE(concurrent_updates_and_scrapes_lose_nothing) {
    Metrics m("1");
    m.allow_targets({{"a", "x"}, {"b", "y"}});
    constexpr int threads = 6;
    constexpr int per_thread = 2000;
    std::atomic<bool> done{false};
    std::thread scraper([&] {
        while (!done.load()) m.serialize();
    });
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&m, t] {
            for (int i = 0; i < per_thread; ++i) {
                const char *provider = (i + t) % 2 == 0 ? "a" : "b";
                const char *model = (i + t) % 2 == 0 ? "x" : "y";
                m.count_request(provider, model, 200);
                m.observe_request_duration(provider, model, 0.2);
                m.add_tokens(provider, model, 1, 2);
                if (i % 100 == 0) m.allow_targets({{"c" + std::to_string(t), "z"}});
            }
        });
    for (auto &w : workers) w.join();
    done = true;
    scraper.join();
    const std::string text = m.serialize();
    double requests = 0;
    for (const auto &s : samples_named(text, "helixagent_requests_total")) requests += s.value;
    double observations = 0;
    for (const auto &s : samples_named(text, "helixagent_request_duration_seconds_count")) observations += s.value;
    double output_tokens = 0;
    for (const auto &s : samples_named(text, "helixagent_tokens_total"))
        if (s.labels.at("direction") == "output") output_tokens += s.value;
    BOOST_TEST(requests == threads * per_thread);
    BOOST_TEST(observations == threads * per_thread);
    BOOST_TEST(output_tokens == 2.0 * threads * per_thread);
}

BOOST_AUTO_TEST_CASE(promtool_reports_nothing_on_a_fully_populated_scrape) {
    Metrics m("0.1.0");
    // Provider names come from the configuration: odd characters must be escaped.
    m.allow_targets({{"openai", "gpt-4o"}, {"we\"ird\\name", "model\nwith newline"}});
    for (const char *provider : {"openai", "we\"ird\\name", "unknown", ""}) {
        const char *model = provider == std::string("openai") ? "gpt-4o" : "model\nwith newline";
        for (const int status : {200, 429, 503, 529, 0}) m.count_request(provider, model, status);
        m.observe_request_duration(provider, model, 1.2);
        m.observe_upstream_duration(provider, model, 0.9);
        m.observe_time_to_first_token(provider, model, 0.3);
        m.add_tokens(provider, model, 10, 20);
        m.add_cost_usd(provider, model, 0.001);
        m.record_attempt(provider, model, 0.5, AttemptOutcome::failure, ErrorKind::upstream_5xx);
        m.count_failover(provider, "openai");
        m.set_circuit_state(provider, model, CircuitState::half_open);
    }
    m.set_in_flight(2);
    m.set_plugins_loaded(2);
    m.count_config_reload(true);
    m.count_config_reload(false);
    const std::string text = m.serialize();
    for (const auto &[name, type] : all_families) {
        BOOST_TEST(contains(text, "# HELP " + name + " "), name);
        BOOST_TEST(contains(text, "# TYPE " + name + " " + type + "\n"), name);
    }
    for (const auto &[name, type] : all_families) {
        BOOST_TEST(contains(text, "# HELP " + name + " "), name);
        BOOST_TEST(contains(text, "# TYPE " + name + " " + type + "\n"), name);
    }
    BOOST_TEST(contains(text, R"(provider="we\"ird\\name")"), text);
    BOOST_TEST(contains(text, R"(model="model\nwith newline")"), text);
    const auto result = helix::test::promtool_check_metrics(text);
    BOOST_TEST(result.exit_code == 0, "promtool exit code " << result.exit_code);
    BOOST_TEST(result.output.empty(), "promtool said:\n" << result.output << "\non:\n" << text);
}

BOOST_AUTO_TEST_CASE(the_promtool_check_is_not_silent_about_problems) {
    const auto result = helix::test::promtool_check_metrics("# TYPE foo_count counter\nfoo_count 1\n");
    BOOST_TEST(result.exit_code != 0);
    BOOST_TEST(contains(result.output, "no help text"), result.output);
    BOOST_TEST(contains(result.output, "_total"), result.output);
}
