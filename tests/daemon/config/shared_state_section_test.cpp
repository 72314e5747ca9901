#define BOOST_TEST_MODULE config_shared_state_section
#include <boost/test/unit_test.hpp>

#include "config_test_support.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace hc = helix::config;
using hc::test::issue_text;
using hc::test::load;

namespace {

// Files for the TLS settings, removed at exit.
struct TlsFiles {
    std::filesystem::path dir = std::filesystem::temp_directory_path() / ("helix-redis-tls-" + std::to_string(::getpid()));
    TlsFiles() {
        std::filesystem::create_directories(dir);
        for (const char *name : {"ca.pem", "client.pem", "client.key"}) std::ofstream(dir / name) << "PEM\n";
    }
    ~TlsFiles() { std::filesystem::remove_all(dir); }
    std::string path(const std::string &name) const { return (dir / name).string(); }
};

} // namespace

BOOST_AUTO_TEST_CASE(without_it_each_replica_counts_alone) { BOOST_TEST(!load("log: {level: debug}\n")->shared_state.enabled()); }

BOOST_AUTO_TEST_CASE(the_url_password_tls_timeout_and_replicas_are_read) {
    const auto config = load("shared_state:\n"
                             "  redis:\n"
                             "    url: rediss://gateway@cache.example.com:6380/2\n"
                             "    password: ${REDIS_PASSWORD}\n"
                             "    timeout: 150ms\n"
                             "    replicas: 3\n",
                             {{"REDIS_PASSWORD", "pw-from-env"}});
    const hc::SharedStateSettings &s = config->shared_state;
    BOOST_TEST(s.enabled());
    BOOST_TEST(s.host == "cache.example.com");
    BOOST_TEST(s.port == 6380);
    BOOST_TEST(s.user == "gateway");
    BOOST_TEST(s.password == "pw-from-env");
    BOOST_TEST(s.tls);
    BOOST_TEST(s.db == 2u);
    BOOST_TEST(s.timeout.count() == 150);
    BOOST_TEST(s.replicas == 3u);
    BOOST_TEST(s.source == "test.yaml:3");
}

BOOST_AUTO_TEST_CASE(a_password_in_the_url_is_taken_and_never_kept_in_its_text) {
    const auto config = load("shared_state: {redis: {url: 'redis://:hunter2-pw@10.0.0.5'}}\n");
    BOOST_TEST(config->shared_state.password == "hunter2-pw");
    BOOST_TEST(config->shared_state.port == 6379);
    BOOST_TEST(config->shared_state.url.find("hunter2") == std::string::npos, config->shared_state.url);
}

BOOST_AUTO_TEST_CASE(mistakes_are_reported_at_their_line) {
    const std::string issues = issue_text("shared_state:\n"
                                         "  redis:\n"
                                         "    url: http://cache:6379\n"
                                         "    replicas: 0\n"
                                         "    timeout: soon\n"
                                         "    colour: red\n");
    BOOST_TEST(issues.find("test.yaml:3: shared_state.redis.url: expected redis://") != std::string::npos, issues);
    BOOST_TEST(issues.find("test.yaml:4: shared_state.redis.replicas") != std::string::npos, issues);
    BOOST_TEST(issues.find("test.yaml:5: shared_state.redis.timeout") != std::string::npos, issues);
    BOOST_TEST(issues.find("colour") != std::string::npos, issues);
    BOOST_TEST(issue_text("shared_state: {redis: {replicas: 2}}\n").find("shared_state.redis.url: required") !=
               std::string::npos);
    BOOST_TEST(issue_text("shared_state: {redis: {url: 'redis://cache:99999'}}\n").find("port") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(tls_files_and_the_server_name_are_read) {
    const TlsFiles files;
    const auto config = load("shared_state:\n"
                             "  redis:\n"
                             "    url: rediss://10.1.2.3:6380\n"
                             "    ca_file: " + files.path("ca.pem") + "\n"
                             "    cert_file: " + files.path("client.pem") + "\n"
                             "    key_file: " + files.path("client.key") + "\n"
                             "    server_name: cache.example.com\n");
    const hc::SharedStateSettings &s = config->shared_state;
    BOOST_TEST(s.tls);
    BOOST_TEST(s.ca_file == files.path("ca.pem"));
    BOOST_TEST(s.cert_file == files.path("client.pem"));
    BOOST_TEST(s.key_file == files.path("client.key"));
    BOOST_TEST(s.server_name == "cache.example.com");
    BOOST_TEST(!s.same_server(hc::SharedStateSettings{}));
}

BOOST_AUTO_TEST_CASE(tls_mistakes_are_reported_naming_the_file_or_the_setting) {
    const TlsFiles files;
    const std::string missing = issue_text("shared_state:\n"
                                          "  redis:\n"
                                          "    url: rediss://cache:6380\n"
                                          "    ca_file: /nonexistent/redis-ca.pem\n");
    BOOST_TEST(missing.find("test.yaml:4: shared_state.redis.ca_file: cannot read '/nonexistent/redis-ca.pem'") !=
                   std::string::npos,
               missing);
    // Relative to the YAML file's directory.
    BOOST_TEST(issue_text("shared_state: {redis: {url: 'rediss://cache', ca_file: certs/ca.pem}}\n")
                   .find("'/etc/helix/certs/ca.pem'") != std::string::npos);
    const std::string alone = issue_text("shared_state: {redis: {url: 'rediss://cache', cert_file: " +
                                        files.path("client.pem") + "}}\n");
    BOOST_TEST(alone.find("cert_file and key_file go together") != std::string::npos, alone);
    // TLS settings without TLS are a mistake, not plain text.
    const std::string plain = issue_text("shared_state: {redis: {url: 'redis://cache', ca_file: " + files.path("ca.pem") +
                                        "}}\n");
    BOOST_TEST(plain.find("shared_state.redis.ca_file: needs TLS") != std::string::npos, plain);
    BOOST_TEST(load("shared_state: {redis: {url: 'redis://cache', tls: true, ca_file: " + files.path("ca.pem") + "}}\n")
                   ->shared_state.tls);
    BOOST_TEST(issue_text("shared_state: {redis: {url: 'rediss://cache', server_name: 'a/b'}}\n")
                   .find("shared_state.redis.server_name") != std::string::npos);
}
