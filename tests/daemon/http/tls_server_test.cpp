#define BOOST_TEST_MODULE tls_server
#include <boost/test/unit_test.hpp>

// server.tls against a real helixagentd, with a self-signed certificate the
// test makes with the openssl command: HTTPS requests (a whole reply and a
// stream) checked against that certificate, TLS 1.2 accepted, plain HTTP on
// the TLS port not served, --check-config naming unusable files, and a
// renewed certificate served after SIGHUP while open connections go on.

#include "plain_gateway.hpp"

#include <cstdio>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

using namespace helix::test;
namespace fs = std::filesystem;

namespace {

const std::string key = "sk-tls-server-test-0c4e";

// The command's standard output (with its standard error, or that dropped)
// and exit status.
std::pair<std::string, int> run(const std::string &command, bool with_stderr = false) {
    std::string out;
    FILE *pipe = ::popen((command + (with_stderr ? " 2>&1" : " 2>/dev/null")).c_str(), "r");
    BOOST_TEST_REQUIRE(pipe != nullptr);
    char buffer[4096];
    for (std::size_t n = 0; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
    const int status = ::pclose(pipe);
    return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

// A self-signed certificate for 127.0.0.1 and its key, in `dir`.
struct Certificate {
    fs::path cert;
    fs::path key;
    explicit Certificate(const fs::path &dir) : cert(dir / "cert.pem"), key(dir / "key.pem") {
        const auto [out, status] = run("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                                       "-addext subjectAltName=IP:127.0.0.1 -keyout " + key.string() + " -out " +
                                       cert.string());
        BOOST_TEST_REQUIRE(status == 0, "openssl req failed");
    }
};

struct TlsGateway {
    TempDir certs;
    Certificate certificate{certs.path()};
    PlainGateway gateway{key, "  tls: {cert_file: " + certificate.cert.string() + ", key_file: " +
                                  certificate.key.string() + "}\n"};
    std::string curl(const std::string &args) const {
        return "curl -sS --max-time 10 --cacert " + certificate.cert.string() + " " + args;
    }
    std::string url(const std::string &path) const {
        return "https://127.0.0.1:" + std::to_string(gateway.port) + path;
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(https_requests_are_served_with_the_configured_certificate) {
    TlsGateway g;
    const auto [health, health_status] = run(g.curl("--tlsv1.2 --tls-max 1.2 " + g.url("/healthz")));
    BOOST_TEST(health_status == 0);
    BOOST_TEST(health == "{\"status\":\"ok\"}");
    const std::string body = plain_chat_body("hi");
    const auto [chat, chat_status] = run(g.curl("-H 'Authorization: Bearer " + key + "' -H 'Content-Type: application/json' -d '" +
                                                body + "' " + g.url("/v1/chat/completions")));
    BOOST_TEST(chat_status == 0);
    BOOST_TEST(chat.find("Hello from upstream") != std::string::npos, chat);
    const auto [stream, stream_status] = run(g.curl("-N -H 'Authorization: Bearer " + key + "' -d '" +
                                                    plain_chat_body("hi", true) + "' " + g.url("/v1/chat/completions")));
    BOOST_TEST(stream_status == 0);
    BOOST_TEST(stream.find("data: [DONE]") != std::string::npos, stream);
    // Kept alive: curl reuses the connection for a second URL.
    const auto [twice, twice_status] = run(g.curl("-v " + g.url("/healthz") + " " + g.url("/healthz")), true);
    BOOST_TEST(twice_status == 0);
    BOOST_TEST(twice.find("Re-using existing connection") != std::string::npos, twice);
}

BOOST_AUTO_TEST_CASE(the_tls_port_does_not_serve_plain_http_and_an_untrusted_client_gets_nothing) {
    TlsGateway g;
    const auto [plain, plain_status] = run("curl -sS --max-time 10 http://127.0.0.1:" + std::to_string(g.gateway.port) + "/healthz");
    BOOST_TEST(plain.find("\"status\":\"ok\"") == std::string::npos);
    BOOST_TEST(plain_status != 0);
    // Without the certificate as trust anchor the client refuses the server.
    const auto [untrusted, untrusted_status] = run("curl -sS --max-time 10 " + g.url("/healthz"));
    BOOST_TEST(untrusted_status != 0);
    // The gateway is unaffected by either.
    BOOST_TEST(run(g.curl(g.url("/healthz"))).first == "{\"status\":\"ok\"}");
}

BOOST_AUTO_TEST_CASE(check_config_names_tls_files_it_cannot_use) {
    TempDir dir;
    const Certificate certificate(dir.path());
    const auto check = [&](const std::string &tls) {
        const std::string config = "server:\n  port: 0\n  tls: " + tls + "\napi_keys: [" + key +
                                   "]\nplugins:\n  plain:\n    library: " + std::string(FIXTURE_DIR) +
                                   "/libhelix_plain_text.so\n    settings:\n      base_url: http://127.0.0.1:9/complete\n";
        return run_daemon({"--check-config", "--config", dir.file("helixagent.yaml", config)});
    };
    const RunResult missing = check("{cert_file: " + (dir.path() / "nope.pem").string() + ", key_file: " + certificate.key.string() + "}");
    BOOST_TEST(missing.exit_code == 1);
    BOOST_TEST(missing.output.find("helixagent.yaml:3: server.tls.cert_file: cannot read") != std::string::npos, missing.output);
    const RunResult directory = check("{cert_file: " + certificate.cert.string() + ", key_file: " + dir.path().string() + "}");
    BOOST_TEST(directory.exit_code == 1);
    BOOST_TEST(directory.output.find("server.tls.key_file: cannot read") != std::string::npos, directory.output);
    const RunResult half = check("{cert_file: " + certificate.cert.string() + "}");
    BOOST_TEST(half.exit_code == 1);
    BOOST_TEST(half.output.find("server.tls needs both cert_file and key_file") != std::string::npos, half.output);
    const RunResult garbage = check("{cert_file: " + certificate.key.string() + ", key_file: " + certificate.key.string() + "}");
    BOOST_TEST(garbage.exit_code == 1);
    BOOST_TEST(garbage.output.find("server.tls.cert_file") != std::string::npos, garbage.output);
    const RunResult good = check("{cert_file: " + certificate.cert.string() + ", key_file: " + certificate.key.string() + "}");
    BOOST_TEST(good.exit_code == 0, good.output);
}

BOOST_AUTO_TEST_CASE(a_reload_serves_a_renewed_certificate_without_dropping_open_connections) {
    TlsGateway g; // serves certificate A from g.certificate's files
    TempDir renewed_dir;
    const Certificate renewed(renewed_dir.path());
    TempDir old_dir;
    const fs::path old_cert = old_dir.path() / "old.pem";
    fs::copy_file(g.certificate.cert, old_cert);
    const std::string port = std::to_string(g.gateway.port);

    // A connection made with certificate A that sends its request only after the reload.
    FILE *open_connection = ::popen(("(sleep 3; printf 'GET /healthz HTTP/1.1\\r\\nHost: t\\r\\nConnection: close\\r\\n\\r\\n') | "
                                     "openssl s_client -quiet -verify_return_error -CAfile " + old_cert.string() +
                                     " -connect 127.0.0.1:" + port + " 2>/dev/null").c_str(), "r");
    BOOST_TEST_REQUIRE(open_connection != nullptr);
    std::this_thread::sleep_for(std::chrono::milliseconds(1000)); // its handshake is done

    // The certificate is renewed under the same file names, then SIGHUP.
    fs::copy_file(renewed.cert, g.certificate.cert, fs::copy_options::overwrite_existing);
    fs::copy_file(renewed.key, g.certificate.key, fs::copy_options::overwrite_existing);
    g.gateway.daemon->signal(SIGHUP);
    BOOST_TEST_REQUIRE(g.gateway.daemon->wait_for_log("TLS certificate reloaded"));

    const auto [fresh, fresh_status] = run("curl -sS --max-time 10 --cacert " + renewed.cert.string() + " " + g.url("/healthz"));
    BOOST_TEST(fresh_status == 0);
    BOOST_TEST(fresh == "{\"status\":\"ok\"}");
    const auto [stale, stale_status] = run("curl -sS --max-time 10 --cacert " + old_cert.string() + " " + g.url("/healthz"));
    BOOST_TEST(stale_status != 0); // new connections no longer get A

    std::string answered;
    char buffer[4096];
    for (std::size_t n = 0; (n = std::fread(buffer, 1, sizeof buffer, open_connection)) > 0;) answered.append(buffer, n);
    ::pclose(open_connection);
    BOOST_TEST(answered.find("{\"status\":\"ok\"}") != std::string::npos, answered); // served after the reload

    // A certificate file that cannot be used fails the reload; the renewed one stays.
    { std::ofstream(g.certificate.cert) << "not a certificate\n"; }
    g.gateway.daemon->signal(SIGHUP);
    BOOST_TEST_REQUIRE(g.gateway.daemon->wait_for_log("kept the previous configuration"));
    BOOST_TEST(run("curl -sS --max-time 10 --cacert " + renewed.cert.string() + " " + g.url("/healthz")).first ==
               "{\"status\":\"ok\"}");
}
