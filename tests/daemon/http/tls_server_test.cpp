#define BOOST_TEST_MODULE tls_server
#include <boost/test/unit_test.hpp>

// server.tls against a real helixagentd, with a self-signed certificate the
// test makes with the openssl command: HTTPS requests (a whole reply and a
// stream) checked against that certificate, TLS 1.2 accepted, plain HTTP on
// the TLS port not served, and --check-config naming unusable files.

#include "plain_gateway.hpp"

#include <cstdio>
#include <filesystem>

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
