#define BOOST_TEST_MODULE replicas
#include <boost/test/unit_test.hpp>

// Three helixagentd replicas sharing one real redis-server (shared_state),
// behind a round-robin client: limits, budgets, provider cool-downs and
// circuits act as one; Redis killed or stopped, or a replica killed, under
// load loses no request beyond the limits and no spend. Over TLS with an ACL
// user as managed Redis services offer it, and a Redis whose certificate is
// not trusted or not for its name refused (the replicas then fail open).

#include "../http/plain_gateway.hpp"
#include "../redis/redis_server.hpp"
#include "../transport/test_pki.hpp"

#include <boost/json.hpp>

#include <cmath>
#include <cstdio>
#include <future>

using namespace helix::test;
using namespace std::chrono_literals;

namespace {

const std::string kKey = "sk-replicas-test-7d2c";
const std::string kRedisPassword = "acl-pw-replicas-5e1b";

// A TLS-only Redis with an ACL user, certified by `pki`'s CA for localhost.
RedisOptions managed_redis(const TestPki &pki) {
    return RedisOptions{kRedisPassword, "gateway", RedisTls{pki.cert_file(), pki.key_file(), pki.ca_file(), false}};
}

// shared_state.redis's url and what it needs to reach `redis` (`ca_file`
// with TLS).
std::string redis_yaml(const RedisServer &redis, const RedisOptions &options, const std::string &ca_file = "") {
    if (!options.tls) return "url: '" + redis.url() + "'";
    return "url: 'rediss://" + (options.user.empty() ? "" : options.user + "@") + "localhost:" +
           std::to_string(redis.port()) + "', password: " + options.password + ", ca_file: " + ca_file;
}

struct Replicas {
    RedisOptions redis_options;
    RedisServer redis;
    PlainTextUpstream first, second;
    TempDir dir;
    std::vector<std::unique_ptr<DaemonProcess>> daemons;
    std::vector<std::uint16_t> ports;
    std::size_t next = 0;

    // `limits`: the key's; `extra`: more top-level YAML.
    // `options`: how Redis is reached (plain, no password by default); a
    // TLS Redis's certificate is trusted through `ca_file`.
    explicit Replicas(const std::string &limits, const std::string &extra = "", const std::string &timeout = "1s",
                      RedisOptions options = {}, const std::string &ca_file = "")
        : redis_options(std::move(options)), redis(redis_options) {
        const std::string plugin = std::string(FIXTURE_DIR) + "/libhelix_plain_text.so";
        const std::string config =
            "server: {listen: 127.0.0.1, port: 0, drain_timeout: 1s}\n"
            "shared_state:\n  redis: {" + redis_yaml(redis, redis_options, ca_file) +
            ", timeout: " + timeout + ", replicas: 3}\n"
            "api_keys:\n  - name: web\n    key: " + kKey + "\n    limits: " + limits + "\n" +
            "plugins:\n"
            "  first:\n    library: " + plugin + "\n    settings:\n      base_url: http://127.0.0.1:" +
            std::to_string(first.port()) + "/complete\n"
            "  second:\n    library: " + plugin + "\n    settings:\n      base_url: http://127.0.0.1:" +
            std::to_string(second.port()) + "/complete\n"
            "providers: {primary: [first], fallback: [second]}\n"
            "prices: {first/plain-1: {input: 1.0, output: 1.0}, second/plain-1: {input: 1.0, output: 1.0}}\n" + extra;
        const std::string path = dir.file("helixagent.yaml", config);
        for (int i = 0; i < 3; ++i) daemons.push_back(std::make_unique<DaemonProcess>(std::vector<std::string>{"--config", path}));
        for (auto &d : daemons) ports.push_back(d->wait_until_listening());
    }

    HttpResult chat(std::size_t replica, const std::string &prompt) const {
        boost::json::object body{{"model", "plain-1"},
                                 {"max_tokens", 10},
                                 {"messages", boost::json::array{boost::json::object{{"role", "user"}, {"content", prompt}}}}};
        return http_post(ports.at(replica), "/v1/chat/completions", boost::json::serialize(body),
                         {{"Authorization", "Bearer " + kKey}});
    }
    // Round robin.
    HttpResult chat(const std::string &prompt) { return chat(next++ % ports.size(), prompt); }

    std::string circuit(std::size_t replica) const {
        const HttpResult ready = http_get(ports.at(replica), "/readyz", {{"Authorization", "Bearer " + kKey}});
        const boost::json::value body = boost::json::parse(ready.body);
        const auto *c = body.at("circuits").as_object().if_contains("first/plain-1");
        return c == nullptr ? "closed" : std::string(c->as_string());
    }

    // redis-cli GET.
    std::string redis_get(const std::string &key) const {
        const std::string command = "redis-cli -p " + std::to_string(redis.port()) + " GET '" + key + "'";
        FILE *out = ::popen(command.c_str(), "r");
        std::string text;
        char buffer[256];
        while (out != nullptr && std::fgets(buffer, sizeof buffer, out) != nullptr) text += buffer;
        if (out != nullptr) ::pclose(out);
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
        return text;
    }
};

// The micro-USD a reply cost at 1 USD per 1K tokens, from its usage.
std::int64_t cost_of(const HttpResult &reply) {
    const boost::json::value body = boost::json::parse(reply.body);
    const auto &usage = body.at("usage");
    const double tokens = static_cast<double>(usage.at("prompt_tokens").as_int64() + usage.at("completion_tokens").as_int64());
    return std::llround(tokens / 1000 * 1e6);
}

std::string today_spend_key() {
    const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    return "helix:key:web:d:" + std::to_string(now / 86'400'000'000);
}

// 45 requests round robin under rpm: 30 (a window longer than the test):
// 30 answered, 15 refused.
void expect_thirty_of_forty_five(Replicas &r) {
    int ok = 0, limited = 0;
    for (int i = 0; i < 45; ++i) {
        const HttpResult reply = r.chat("hi");
        ok += reply.status == 200;
        limited += reply.status == 429;
    }
    BOOST_TEST(ok == 30);
    BOOST_TEST(limited == 15);
    BOOST_TEST(r.first.requests() == 30);
}

} // namespace

BOOST_AUTO_TEST_CASE(thirty_rpm_across_three_replicas_lets_exactly_thirty_through) {
    // A long window, so that no request comes back while the test runs.
    Replicas r("{rpm: 30, window: 10m}");
    expect_thirty_of_forty_five(r);
}

BOOST_AUTO_TEST_CASE(a_budget_spent_on_one_replica_stops_the_key_on_the_others) {
    Replicas r("{daily_usd: 0.05}");
    int ok = 0;
    HttpResult last;
    // One replica spends it (each settled before the next: real usage, not reservations).
    for (int i = 0; i < 40; ++i) {
        last = r.chat(0, "hi");
        if (last.status != 200) break;
        ++ok;
        std::this_thread::sleep_for(100ms);
    }
    BOOST_TEST(ok >= 5); // about 0.006 USD each
    BOOST_TEST(last.status == 429, last.body);
    for (std::size_t replica : {1u, 2u}) {
        const HttpResult refused = r.chat(replica, "hi");
        BOOST_TEST(refused.status == 429, refused.body);
        BOOST_TEST(refused.body.find("daily budget") != std::string::npos, refused.body);
    }
    BOOST_TEST(r.first.requests() == ok);
}

BOOST_AUTO_TEST_CASE(a_retry_after_seen_by_one_replica_keeps_the_others_off_that_provider) {
    Replicas r("{rpm: 1000}", "router: {max_attempts: 1}\n");
    const HttpResult limited = r.chat(0, "FAIL429"); // first answers 429, Retry-After: 3
    BOOST_TEST(limited.status == 429);
    BOOST_TEST(r.first.requests() == 1);
    std::this_thread::sleep_for(1s); // "within a second"
    for (std::size_t replica : {1u, 2u, 0u}) {
        const HttpResult reply = r.chat(replica, "hi");
        BOOST_TEST(reply.status == 200, reply.body);
        BOOST_TEST(reply.headers.at("x-helix-provider") == "second");
    }
    BOOST_TEST(r.first.requests() == 1);
    BOOST_TEST(r.second.requests() == 3);
}

BOOST_AUTO_TEST_CASE(a_circuit_opened_on_one_replica_is_open_on_all_with_one_probe) {
    Replicas r("{rpm: 1000}",
               "router: {max_attempts: 1, circuit_failures: 2, circuit_failure_rate: 0, circuit_cooldown: 2s}\n");
    BOOST_TEST(r.chat(0, "FAIL500").status >= 500);
    BOOST_TEST(r.chat(0, "FAIL500").status >= 500);
    BOOST_TEST(r.circuit(0) == "open");
    std::this_thread::sleep_for(1s);
    BOOST_TEST(r.circuit(1) == "open");
    BOOST_TEST(r.circuit(2) == "open");
    // Open everywhere: the others skip first for second.
    const HttpResult elsewhere = r.chat(1, "hi");
    BOOST_TEST(elsewhere.headers.at("x-helix-provider") == "second");
    BOOST_TEST(r.first.requests() == 2);
    std::this_thread::sleep_for(1500ms); // the cool-down has passed everywhere
    // Three requests at once, one per replica: one of them is first's probe.
    std::vector<std::future<HttpResult>> replies;
    for (std::size_t replica = 0; replica < 3; ++replica)
        replies.push_back(std::async(std::launch::async, [&, replica] { return r.chat(replica, "FAIL500 probe"); }));
    for (auto &f : replies) f.get();
    BOOST_TEST(r.first.requests() == 3); // one probe, not three
    std::this_thread::sleep_for(700ms);
    for (std::size_t replica = 0; replica < 3; ++replica) BOOST_TEST(r.circuit(replica) == "open"); // the probe failed
}

BOOST_AUTO_TEST_CASE(redis_killed_and_stopped_under_load_fails_no_request) {
    Replicas r("{rpm: 100000, daily_usd: 1000}", "", "300ms");
    std::atomic<bool> running{true};
    std::atomic<int> ok{0}, failed{0};
    std::vector<std::thread> clients;
    for (std::size_t c = 0; c < 3; ++c)
        clients.emplace_back([&, c] {
            for (std::size_t i = c; running; ++i) {
                const HttpResult reply = r.chat(i % 3, "hi");
                (reply.status == 200 ? ok : failed)++;
            }
        });
    std::this_thread::sleep_for(500ms);
    r.redis.kill();
    std::this_thread::sleep_for(800ms);
    // Degraded, and saying so, but ready: requests flow on local limits.
    const HttpResult down = http_get(r.ports[0], "/readyz");
    BOOST_TEST(down.status == 200);
    BOOST_TEST(down.body.find(R"("shared_state":"degraded")") != std::string::npos, down.body);
    const HttpResult scrape = http_get(r.ports[0], "/metrics");
    BOOST_TEST(scrape.body.find("helixagent_shared_state_up 0") != std::string::npos);
    BOOST_TEST(scrape.body.find("helixagent_shared_state_errors_total") != std::string::npos);
    r.redis.start();
    std::this_thread::sleep_for(800ms);
    r.redis.stop(); // SIGSTOP: connections open, no replies
    std::this_thread::sleep_for(1200ms);
    r.redis.resume();
    std::this_thread::sleep_for(800ms);
    running = false;
    for (auto &t : clients) t.join();
    BOOST_TEST(failed == 0);
    BOOST_TEST(ok > 20);
    // Back to shared: the readiness says so again.
    const HttpResult ready = http_get(r.ports[0], "/readyz");
    BOOST_TEST(ready.status == 200);
    BOOST_TEST(ready.body.find(R"("shared_state":"up")") != std::string::npos, ready.body);
    BOOST_TEST(http_get(r.ports[0], "/metrics").body.find("helixagent_shared_state_up 1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_replica_killed_under_load_with_the_client_retrying_elsewhere_loses_no_spend) {
    Replicas r("{daily_usd: 1000}");
    std::atomic<bool> running{true};
    std::mutex mutex;
    std::int64_t answered_cost = 0;
    int answered = 0;
    std::atomic<bool> killed{false};
    std::vector<std::thread> clients;
    for (std::size_t c = 0; c < 3; ++c)
        clients.emplace_back([&, c] {
            for (std::size_t i = c; running; ++i) {
                // A client that retries elsewhere when a replica is gone.
                for (std::size_t attempt = 0; attempt < 3; ++attempt) {
                    const std::size_t replica = (i + attempt) % 3;
                    if (killed && replica == 1) continue;
                    try {
                        const HttpResult reply = r.chat(replica, "hi");
                        if (reply.status != 200) continue;
                        const std::lock_guard lock(mutex);
                        answered_cost += cost_of(reply);
                        ++answered;
                        break;
                    } catch (const std::exception &) {
                        // the replica died under this request: next one
                    }
                }
            }
        });
    std::this_thread::sleep_for(1s);
    r.daemons[1]->signal(SIGKILL);
    killed = true;
    std::this_thread::sleep_for(1s);
    running = false;
    for (auto &t : clients) t.join();
    std::this_thread::sleep_for(500ms); // the last settlements
    const std::string spent = r.redis_get(today_spend_key());
    BOOST_TEST_REQUIRE(!spent.empty());
    BOOST_TEST(answered > 10);
    // Every answered request is counted (reservations of the ones cut off count too).
    BOOST_TEST(std::stoll(spent) >= answered_cost, spent << " micro-USD counted, " << answered_cost << " answered");
}

BOOST_AUTO_TEST_CASE(shared_state_added_by_a_reload_is_used_at_once) {
    RedisServer redis;
    PlainTextUpstream upstream;
    TempDir dir;
    const std::string base = "server: {listen: 127.0.0.1, port: 0}\n"
                             "api_keys:\n  - name: web\n    key: " + kKey + "\n    limits: {rpm: 2, window: 10m}\n"
                             "plugins:\n  plain:\n    library: " + std::string(FIXTURE_DIR) +
                             "/libhelix_plain_text.so\n    settings:\n      base_url: http://127.0.0.1:" +
                             std::to_string(upstream.port()) + "/complete\n";
    const std::string path = dir.file("helixagent.yaml", base);
    std::vector<std::unique_ptr<DaemonProcess>> daemons;
    std::vector<std::uint16_t> ports;
    for (int i = 0; i < 2; ++i) {
        daemons.push_back(std::make_unique<DaemonProcess>(std::vector<std::string>{"--config", path}));
        ports.push_back(daemons.back()->wait_until_listening());
    }
    const auto chat = [&](std::uint16_t port) {
        return http_post(port, "/v1/chat/completions", plain_chat_body("hi"), {{"Authorization", "Bearer " + kKey}});
    };
    BOOST_TEST(http_get(ports[0], "/readyz").body.find("shared_state") == std::string::npos);
    dir.file("helixagent.yaml", base + "shared_state: {redis: {url: 'redis://127.0.0.1:" +
                                    std::to_string(redis.port()) + "', replicas: 2}}\n");
    for (auto &d : daemons) {
        d->signal(SIGHUP);
        BOOST_TEST(d->wait_for_log("shared_state: limits and provider state shared"));
    }
    // The counters start in Redis now: 2 per window across both.
    BOOST_TEST(chat(ports[0]).status == 200);
    BOOST_TEST(chat(ports[1]).status == 200);
    BOOST_TEST(chat(ports[0]).status == 429);
    BOOST_TEST(chat(ports[1]).status == 429);
    BOOST_TEST(http_get(ports[1], "/readyz").body.find(R"("shared_state":"up")") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(over_tls_with_an_acl_user_thirty_rpm_across_three_replicas_lets_exactly_thirty_through) {
    const TestPki pki;
    Replicas r("{rpm: 30, window: 10m}", "", "1s", managed_redis(pki), pki.ca_file());
    for (auto &d : r.daemons) BOOST_TEST(d->wait_for_log("replicas; TLS, AUTH)"));
    expect_thirty_of_forty_five(r);
    for (std::size_t replica = 0; replica < 3; ++replica) {
        const HttpResult ready = http_get(r.ports[replica], "/readyz");
        BOOST_TEST(ready.body.find(R"("shared_state":"up")") != std::string::npos, ready.body);
    }
}

BOOST_AUTO_TEST_CASE(a_redis_certificate_not_trusted_or_not_for_its_name_is_refused_and_the_replica_fails_open) {
    const TestPki pki;
    const RedisOptions options = managed_redis(pki);
    RedisServer redis(options);
    PlainTextUpstream upstream;
    TempDir dir;
    const auto config = [&](const std::string &name, const std::string &redis_lines) {
        return dir.file(name, "server: {listen: 127.0.0.1, port: 0}\n"
                              "api_keys:\n  - name: web\n    key: " + kKey + "\n    limits: {rpm: 1000}\n"
                              "plugins:\n  plain:\n    library: " + std::string(FIXTURE_DIR) +
                              "/libhelix_plain_text.so\n    settings:\n      base_url: http://127.0.0.1:" +
                              std::to_string(upstream.port()) + "/complete\n"
                              "shared_state: {redis: {" + redis_lines + ", timeout: 300ms}}\n");
    };
    // Another CA's certificate; and the right CA's, but reached as 127.0.0.1,
    // a name its certificate does not carry.
    std::string misnamed = redis_yaml(redis, options, pki.ca_file());
    misnamed.replace(misnamed.find("localhost"), 9, "127.0.0.1");
    DaemonProcess untrusted({"--config", config("untrusted.yaml", redis_yaml(redis, options, pki.rogue_ca_file()))});
    DaemonProcess wrong_name({"--config", config("misnamed.yaml", misnamed)});
    BOOST_TEST(untrusted.wait_for_log("shared_state: Redis at rediss://gateway@localhost:"));
    BOOST_TEST(untrusted.wait_for_log("self-signed certificate in certificate chain; ca_file must hold"));
    BOOST_TEST(wrong_name.wait_for_log("the server's certificate is not for '127.0.0.1'"));
    for (DaemonProcess *daemon : {&untrusted, &wrong_name}) {
        const std::uint16_t port = daemon->wait_until_listening();
        const HttpResult reply = http_post(port, "/v1/chat/completions", plain_chat_body("hi"),
                                           {{"Authorization", "Bearer " + kKey}});
        BOOST_TEST(reply.status == 200, reply.body); // fail open, on this replica's counters
        const HttpResult ready = http_get(port, "/readyz");
        BOOST_TEST(ready.status == 200);
        BOOST_TEST(ready.body.find(R"("shared_state":"degraded")") != std::string::npos, ready.body);
        BOOST_TEST(daemon->rest_of_log_so_far().find(kRedisPassword) == std::string::npos);
    }
    BOOST_TEST(upstream.requests() == 2);
}

BOOST_AUTO_TEST_CASE(check_config_names_a_redis_tls_file_that_is_missing_or_unusable) {
    const TestPki pki;
    TempDir dir;
    const auto check = [&](const std::string &name, const std::string &redis_lines) {
        const std::string path = dir.file(name, "plugins:\n  plain:\n    library: " + std::string(FIXTURE_DIR) +
                                                    "/libhelix_plain_text.so\n    settings:\n      base_url: "
                                                    "http://127.0.0.1:9/complete\n"
                                                    "shared_state: {redis: {url: 'rediss://cache.internal:6380', " +
                                                    redis_lines + "}}\n");
        return run_daemon({"--check-config", "--config", path});
    };
    const RunResult good = check("good.yaml", "ca_file: " + pki.ca_file() + ", cert_file: " + pki.cert_file() +
                                                  ", key_file: " + pki.key_file());
    BOOST_TEST(good.exit_code == 0, good.output);
    const RunResult missing = check("missing.yaml", "ca_file: " + (dir.path() / "redis-ca.pem").string());
    BOOST_TEST(missing.exit_code == 1);
    BOOST_TEST(missing.output.find("shared_state.redis.ca_file: cannot read '" + (dir.path() / "redis-ca.pem").string() +
                                   "'") != std::string::npos,
               missing.output);
    const RunResult not_pem = check("not-pem.yaml", "ca_file: " + dir.file("junk.pem", "not a certificate\n"));
    BOOST_TEST(not_pem.exit_code == 1);
    BOOST_TEST(not_pem.output.find("cannot load shared_state.redis.ca_file '" + (dir.path() / "junk.pem").string() +
                                   "'") != std::string::npos,
               not_pem.output);
    const RunResult wrong_key = check("wrong-key.yaml", "cert_file: " + pki.cert_file() + ", key_file: " +
                                                            pki.key_file(true));
    BOOST_TEST(wrong_key.exit_code == 1);
    BOOST_TEST(wrong_key.output.find("shared_state.redis.key_file '" + pki.key_file(true) + "'") != std::string::npos,
               wrong_key.output);
}
