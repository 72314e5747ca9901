#define BOOST_TEST_MODULE plugin_hot_reload
#include <boost/test/unit_test.hpp>

// A plugin file replaced on disk (a new build renamed over the old one, as a
// package upgrade does) is loaded by the next reload, under load: clients
// keep sending plain and streamed requests while the file is swapped between
// two builds and the daemon reloaded, and not one request fails; each
// answer comes whole from one build; a request after a reload gets the new
// build; a stream begun on the first build and held open through every
// reload finishes on it; old builds
// are unloaded once their last call is done, and the installed file itself
// is never mapped (the daemon loads a private copy).

#include "../http/plain_text_upstream.hpp"
#include "daemon_process.hpp"

#include <future>
#include <set>
#include <sys/stat.h>

using namespace helix::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kClientKey = "sk-hot-reload-1618";
const std::string kV1 = "acme 1.0.0|";
const std::string kV2 = "acme 2.0.0|";

bool contains(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

// Installs `build` as `target` the way a package manager does: a new file
// next to it, renamed over it.
void install(const std::string &build, const fs::path &target) {
    const fs::path fresh = target.string() + ".new";
    fs::copy_file(build, fresh, fs::copy_options::overwrite_existing);
    fs::permissions(fresh, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                               fs::perms::others_read | fs::perms::others_exec);
    fs::rename(fresh, target);
}

// The daemon's mappings of private plugin copies, as the set of their
// inodes (one per loaded build), and whether any mapping names `file`.
struct Mappings {
    std::set<std::string> copies;
    bool maps_file = false;
};
Mappings mappings_of(int pid, const fs::path &file) {
    std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
    Mappings found;
    std::string line;
    while (std::getline(maps, line)) {
        if (contains(line, "helix-plugin:libacme.so")) {
            std::istringstream fields(line);
            std::string range, perms, offset, device, inode;
            fields >> range >> perms >> offset >> device >> inode;
            found.copies.insert(device + ":" + inode);
        }
        if (contains(line, file.string())) found.maps_file = true;
    }
    return found;
}

// A streamed chat completion read as it arrives; `started` is set once the
// first content (the build's prefix) has come.
std::string stream_chat(std::uint16_t port, const std::string &prompt, std::promise<void> *started) {
    Poco::Net::HTTPClientSession session("127.0.0.1", port);
    session.setTimeout(Poco::Timespan(30, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, "/v1/chat/completions",
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    const std::string body =
        R"({"model":"acme/acme-1","stream":true,"messages":[{"role":"user","content":")" + prompt + R"("}]})";
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    request.set("Authorization", "Bearer " + kClientKey);
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream &in = session.receiveResponse(response);
    std::string text = "HTTP " + std::to_string(static_cast<int>(response.getStatus())) + "\n";
    std::string line;
    while (std::getline(in, line)) {
        text += line + "\n";
        if (started != nullptr && contains(text, "acme ")) {
            started->set_value();
            started = nullptr;
        }
    }
    if (started != nullptr) started->set_value();
    return text;
}

// What the clients saw: every answer and which build gave it.
struct Tally {
    std::mutex mutex;
    int ok_v1 = 0;
    int ok_v2 = 0;
    std::vector<std::string> failures;

    void record(const std::string &what, bool ok, bool v1, bool v2) {
        std::lock_guard lock(mutex);
        if (ok && v1 != v2) ++(v1 ? ok_v1 : ok_v2);
        else if (failures.size() < 20) failures.push_back(what);
        else failures.back() = "... and more";
    }
};

// One client: plain and streamed requests, one after another, until `stop`.
void client(std::uint16_t port, const std::atomic<bool> &stop, Tally &tally) {
    const std::map<std::string, std::string> auth{{"Authorization", "Bearer " + kClientKey}};
    const std::string ask = R"({"model":"acme/acme-1","messages":[{"role":"user","content":"hi"}]})";
    for (int i = 0; !stop; ++i) {
        try {
            if (i % 2 == 0) {
                const HttpResult r = http_post(port, "/v1/chat/completions", ask, auth);
                const bool v1 = contains(r.body, kV1 + "Hello from upstream");
                const bool v2 = contains(r.body, kV2 + "Hello from upstream");
                tally.record("plain " + std::to_string(r.status) + ": " + r.body, r.status == 200, v1, v2);
            } else {
                const std::string s = stream_chat(port, "hi", nullptr);
                const bool whole = s.starts_with("HTTP 200\n") && contains(s, "upstream") && contains(s, "data: [DONE]");
                tally.record("stream: " + s, whole, contains(s, kV1), contains(s, kV2));
            }
        } catch (const std::exception &e) {
            tally.record(std::string("request threw: ") + e.what(), false, false, false);
        }
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(a_plugin_replaced_on_disk_is_reloaded_under_load_without_a_failed_request) {
    PlainTextUpstream upstream;
    TempDir dir;
    ::chmod(dir.path().c_str(), 0755);
    const fs::path plugin = dir.path() / "libacme.so";
    const std::string builds[] = {std::string(FIXTURE_DIR) + "/libacme.so", std::string(FIXTURE_DIR) + "/libacme_v2.so"};
    install(builds[0], plugin);
    const std::string endpoint = "http://127.0.0.1:" + std::to_string(upstream.port()) + "/complete";
    const std::string path = dir.file("helixagent.yaml", "server:\n  listen: 127.0.0.1\n  port: 0\napi_keys: [" +
                                                             kClientKey + "]\nplugins:\n  acme:\n    library: " +
                                                             plugin.string() + "\n    settings:\n      endpoint: " +
                                                             endpoint + "\n");
    DaemonProcess daemon({"--config", path});
    const std::uint16_t port = daemon.wait_until_listening();
    const std::map<std::string, std::string> auth{{"Authorization", "Bearer " + kClientKey}};
    const std::string ask = R"({"model":"acme/acme-1","messages":[{"role":"user","content":"hi"}]})";
    BOOST_TEST_REQUIRE(contains(http_post(port, "/v1/chat/completions", ask, auth).body, kV1 + "Hello from upstream"));

    // A stream starts on build 1; the upstream holds it open (a part every
    // 20 ms) until the test releases it, after every reload.
    std::promise<void> started;
    auto long_stream = std::async(std::launch::async, [&] { return stream_chat(port, "HOLD", &started); });
    BOOST_TEST_REQUIRE((started.get_future().wait_for(20s) == std::future_status::ready));

    Tally tally;
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int i = 0; i < 4; ++i) clients.emplace_back([&] { client(port, stop, tally); });

    // Build 2, build 1, build 2, build 1: each installed, then a reload, while
    // the clients keep asking. A request made after the reload gets the new build.
    for (int round = 1; round <= 4; ++round) {
        std::this_thread::sleep_for(300ms);
        const bool v2 = round % 2 == 1;
        install(builds[v2 ? 1 : 0], plugin);
        daemon.signal(SIGHUP);
        BOOST_TEST_REQUIRE(daemon.wait_for_log("configuration reloaded"), daemon.rest_of_log_so_far());
        const HttpResult after = http_post(port, "/v1/chat/completions", ask, auth);
        BOOST_TEST(after.status == 200, after.body);
        BOOST_TEST(contains(after.body, (v2 ? kV2 : kV1) + "Hello from upstream"), "round " << round << ": " << after.body);
        BOOST_TEST((long_stream.wait_for(0s) == std::future_status::timeout), "round " << round << ": the held stream ended");
        BOOST_TEST(mappings_of(daemon.pid(), plugin).copies.size() >= 2U, "round " << round << ": build 1 unloaded under its stream");
    }
    std::this_thread::sleep_for(300ms);
    stop = true;
    for (auto &t : clients) t.join();

    // The held stream, released, finishes whole on build 1.
    upstream.release_holds();
    BOOST_TEST_REQUIRE((long_stream.wait_for(30s) == std::future_status::ready));
    const std::string streamed = long_stream.get();
    BOOST_TEST(contains(streamed, kV1), streamed);
    BOOST_TEST(!contains(streamed, kV2), streamed);
    BOOST_TEST(contains(streamed, "held 1. "), streamed);
    BOOST_TEST(contains(streamed, "released."), streamed);
    BOOST_TEST(contains(streamed, "data: [DONE]"), streamed);

    // Not one request failed, and the load saw both builds.
    {
        std::lock_guard lock(tally.mutex);
        std::string failures;
        for (const auto &f : tally.failures) failures += f + "\n---\n";
        BOOST_TEST(tally.failures.empty(), tally.failures.size() << " failed requests:\n" << failures);
        BOOST_TEST(tally.ok_v1 > 0);
        BOOST_TEST(tally.ok_v2 > 0);
        BOOST_TEST_MESSAGE("requests answered during the reloads: " << tally.ok_v1 << " by build 1, " << tally.ok_v2
                                                                      << " by build 2");
    }

    // With their last calls done, the replaced builds are unloaded: only the
    // current one stays mapped, from a private copy, never from the file.
    Mappings maps;
    for (int i = 0; i < 100; ++i) {
        maps = mappings_of(daemon.pid(), plugin);
        if (maps.copies.size() == 1U) break;
        std::this_thread::sleep_for(50ms);
    }
    BOOST_TEST(maps.copies.size() == 1U);
    BOOST_TEST(!maps.maps_file, plugin.string() << " itself is mapped");
    BOOST_TEST(contains(http_post(port, "/v1/chat/completions", ask, auth).body, kV1 + "Hello from upstream"));

    // A reload with the file unchanged keeps the loaded build.
    daemon.signal(SIGHUP);
    BOOST_TEST_REQUIRE(daemon.wait_for_log("configuration reloaded"), daemon.rest_of_log_so_far());
    const Mappings same = mappings_of(daemon.pid(), plugin);
    BOOST_TEST((same.copies == maps.copies));

    daemon.signal(SIGTERM);
    BOOST_TEST(daemon.wait_exit(10s).value_or(-1) == 0);
}
