#define BOOST_TEST_MODULE proxy_settings
#include <boost/test/unit_test.hpp>

#include "daemon/transport/proxy_settings.hpp"

using helix::transport::ProxySettings;

BOOST_AUTO_TEST_CASE(uses_the_proxy_of_the_scheme) {
    const auto s = ProxySettings::from_environment(
        {{"HTTPS_PROXY", "http://user:pw@proxy.corp:3128"}, {"HTTP_PROXY", "proxy2.corp:8080"}});
    const auto https = s.for_host("bedrock-runtime.us-east-1.amazonaws.com", true);
    BOOST_TEST_REQUIRE(https.has_value());
    BOOST_TEST(https->host == "proxy.corp");
    BOOST_TEST(https->port == 3128);
    BOOST_TEST(https->username == "user");
    BOOST_TEST(https->password == "pw");
    BOOST_TEST(s.for_host("api.openai.com", false)->host == "proxy2.corp");
}

BOOST_AUTO_TEST_CASE(lower_case_variables_win) {
    const auto s = ProxySettings::from_environment({{"HTTPS_PROXY", "upper:1"}, {"https_proxy", "lower:2"}});
    BOOST_TEST(s.for_host("x.com", true)->host == "lower");
}

BOOST_AUTO_TEST_CASE(no_proxy_matches_hosts_and_domain_suffixes) {
    const auto s = ProxySettings::from_environment(
        {{"HTTPS_PROXY", "proxy:3128"}, {"NO_PROXY", "internal.corp, .azure.com,api.openai.com"}});
    BOOST_TEST(!s.for_host("internal.corp", true));
    BOOST_TEST(!s.for_host("svc.internal.corp", true));
    BOOST_TEST(!s.for_host("myres.openai.azure.com", true));
    BOOST_TEST(!s.for_host("API.OPENAI.COM", true));
    BOOST_TEST(s.for_host("notinternal.corp", true).has_value());
    BOOST_TEST(s.for_host("api.anthropic.com", true).has_value());
}

BOOST_AUTO_TEST_CASE(loopback_and_star_are_never_proxied) {
    const auto s = ProxySettings::from_environment({{"HTTPS_PROXY", "proxy:3128"}});
    BOOST_TEST(!s.for_host("127.0.0.1", true));
    BOOST_TEST(!s.for_host("localhost", true));
    const auto all = ProxySettings::from_environment({{"HTTPS_PROXY", "proxy:3128"}, {"no_proxy", "*"}});
    BOOST_TEST(!all.for_host("api.openai.com", true));
}

BOOST_AUTO_TEST_CASE(no_proxy_configured_means_direct) {
    BOOST_TEST(!ProxySettings::from_environment({}).for_host("api.openai.com", true));
}

BOOST_AUTO_TEST_CASE(metadata_and_credential_endpoints_never_go_through_a_proxy) {
    // Their answers are credentials: a proxy must never see them, NO_PROXY or not.
    const auto s = ProxySettings::from_environment({{"HTTPS_PROXY", "proxy:3128"}, {"HTTP_PROXY", "proxy:3128"}});
    for (const bool tls : {false, true}) {
        BOOST_TEST(!s.for_host("169.254.169.254", tls)); // AWS, Azure and GCE instance metadata
        BOOST_TEST(!s.for_host("169.254.170.2", tls));   // ECS task credentials
        BOOST_TEST(!s.for_host("fd00:ec2::254", tls));   // AWS IMDS over IPv6
        BOOST_TEST(!s.for_host("[fd00:ec2::254]", tls));
        BOOST_TEST(!s.for_host("metadata.google.internal", tls));
        BOOST_TEST(!s.for_host("METADATA.google.internal.", tls));
        BOOST_TEST(!s.for_host("::ffff:169.254.169.254", tls));
    }
    BOOST_TEST(s.for_host("169.255.0.1", false).has_value());
    BOOST_TEST(s.for_host("fd00:ec2:0:1::254", false).has_value());
    BOOST_TEST(s.for_host("metadata.google.internal.example.com", true).has_value());
}
