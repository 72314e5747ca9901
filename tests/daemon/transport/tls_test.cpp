#define BOOST_TEST_MODULE upstream_tls
#include <boost/test/unit_test.hpp>

#include "daemon/transport/upstream_client.hpp"
#include "exchange_error_output.hpp"
#include "recording_sink.hpp"
#include "scripted_server.hpp"
#include "test_pki.hpp"
#include "test_request.hpp"

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>

#include <openssl/ssl.h>

using namespace helix::transport;
using namespace helix::test;
using namespace std::chrono_literals;

namespace {

const TestPki &pki() {
    static const TestPki instance;
    return instance;
}

void answer_ok(ScriptedConnection &c) {
    while (!c.read_request().empty())
        if (!c.write("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecure")) return;
}

ExchangeResult call(const TlsSettings &tls, const std::string &url, RecordingSink &sink) {
    UpstreamClient client(UpstreamSettings::make(tls, ProxySettings{}));
    return client.exchange(Request(url).c, {2000ms, 2000ms, std::nullopt}, sink);
}

std::string https(const std::string &host, const ScriptedServer &server) {
    return "https://" + host + ":" + std::to_string(server.port()) + "/v1/x";
}

// Records the warnings logged to "helixagentd".
class WarningLog final : public Poco::Channel {
public:
    void log(const Poco::Message &message) override {
        if (message.getPriority() <= Poco::Message::PRIO_WARNING) messages.push_back(message.getText());
    }
    std::vector<std::string> messages;
};

} // namespace

BOOST_AUTO_TEST_CASE(a_certificate_from_the_configured_ca_for_the_host_name_is_accepted) {
    ScriptedServer server(answer_ok, pki().server_context());
    RecordingSink sink;
    const auto result = call({true, pki().ca_file()}, https("localhost", server), sink);
    BOOST_TEST(result.error == ExchangeError::none, result.detail);
    BOOST_TEST(sink.body == "secure");
}

BOOST_AUTO_TEST_CASE(a_certificate_for_another_name_is_refused_on_loopback_too) {
    // The certificate names localhost and upstream.test, not 127.0.0.1:
    // POCO's client skipped the name check for loopback; this one does not.
    ScriptedServer server(answer_ok, pki().server_context());
    RecordingSink sink;
    const auto result = call({true, pki().ca_file()}, https("127.0.0.1", server), sink);
    BOOST_TEST(result.error == ExchangeError::connect_failed, result.detail);
    BOOST_TEST(!result.head_received);
    BOOST_TEST(sink.body.empty());
}

BOOST_AUTO_TEST_CASE(a_certificate_from_an_untrusted_ca_is_refused) {
    ScriptedServer server(answer_ok, pki().server_context(true));
    RecordingSink sink;
    const auto result = call({true, pki().ca_file()}, https("localhost", server), sink);
    BOOST_TEST(result.error == ExchangeError::connect_failed, result.detail);
    BOOST_TEST(result.detail.find("certificate") != std::string::npos, result.detail);
    BOOST_TEST(!result.head_received);
}

BOOST_AUTO_TEST_CASE(with_verify_off_any_certificate_is_accepted_and_a_warning_is_logged_once) {
    Poco::AutoPtr<WarningLog> log(new WarningLog);
    Poco::Logger &logger = Poco::Logger::get("helixagentd");
    Poco::AutoPtr<Poco::Channel> previous(logger.getChannel());
    logger.setChannel(log);
    {
        ScriptedServer server(answer_ok, pki().server_context(true));
        UpstreamClient client(UpstreamSettings::make({false, ""}, ProxySettings{}));
        for (int i = 0; i < 2; ++i) {
            RecordingSink sink;
            const auto result = client.exchange(Request(https("127.0.0.1", server)).c, {2000ms, 2000ms, std::nullopt}, sink);
            BOOST_TEST(result.error == ExchangeError::none, result.detail);
            BOOST_TEST(sink.body == "secure");
        }
    }
    logger.setChannel(previous);
    BOOST_TEST_REQUIRE(log->messages.size() == 1u);
    BOOST_TEST(log->messages.front().find("verify_tls is off") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(only_tls_1_2_and_later_with_forward_secret_aead_ciphers_are_offered) {
    const auto context = make_tls_client_context({true, pki().ca_file()});
    BOOST_TEST(SSL_CTX_get_min_proto_version(context->native_handle()) == TLS1_2_VERSION);
    SSL *ssl = SSL_new(context->native_handle());
    BOOST_TEST_REQUIRE(ssl != nullptr);
    STACK_OF(SSL_CIPHER) *ciphers = SSL_get1_supported_ciphers(ssl);
    BOOST_TEST_REQUIRE(ciphers != nullptr);
    BOOST_TEST(sk_SSL_CIPHER_num(ciphers) > 0);
    for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
        const SSL_CIPHER *c = sk_SSL_CIPHER_value(ciphers, i);
        BOOST_TEST_CONTEXT(SSL_CIPHER_get_name(c)) {
            BOOST_TEST(SSL_CIPHER_is_aead(c) == 1);
            BOOST_TEST(SSL_CIPHER_get_auth_nid(c) != NID_auth_null);
            BOOST_TEST(SSL_CIPHER_get_cipher_nid(c) != NID_undef);
        }
    }
    sk_SSL_CIPHER_free(ciphers);
    SSL_free(ssl);
}

BOOST_AUTO_TEST_CASE(a_server_offering_only_a_cbc_cipher_is_refused) {
    auto server_tls = pki().server_context();
    SSL_CTX_set_max_proto_version(server_tls->native_handle(), TLS1_2_VERSION);
    BOOST_TEST_REQUIRE(SSL_CTX_set_cipher_list(server_tls->native_handle(), "ECDHE-ECDSA-AES128-SHA256") == 1);
    ScriptedServer server(answer_ok, server_tls);
    RecordingSink sink;
    const auto result = call({true, pki().ca_file()}, https("localhost", server), sink);
    BOOST_TEST(result.error == ExchangeError::connect_failed, result.detail);
}

BOOST_AUTO_TEST_CASE(a_server_limited_to_tls_1_1_is_refused) {
    auto server_tls = pki().server_context();
    SSL_CTX_set_security_level(server_tls->native_handle(), 0);
    SSL_CTX_set_min_proto_version(server_tls->native_handle(), TLS1_VERSION);
    SSL_CTX_set_max_proto_version(server_tls->native_handle(), TLS1_1_VERSION);
    ScriptedServer server(answer_ok, server_tls);
    RecordingSink sink;
    const auto result = call({true, pki().ca_file()}, https("localhost", server), sink);
    BOOST_TEST(result.error == ExchangeError::connect_failed, result.detail);
}

BOOST_AUTO_TEST_CASE(an_unreadable_ca_file_is_refused_when_the_settings_are_made) {
    BOOST_CHECK_THROW(make_tls_client_context({true, "/nonexistent/ca.pem"}), std::runtime_error);
}
