#define BOOST_TEST_MODULE cloudsim_options
#include <boost/test/unit_test.hpp>

#include "tools/cloudsim/behaviour.hpp"
#include "tools/cloudsim/options.hpp"
#include "tools/cloudsim/provider_registry.hpp"

#include <map>
#include <stdexcept>

using namespace helix::cloudsim;

BOOST_AUTO_TEST_CASE(defaults) {
    const auto o = parse_options({}, provider_modules());
    BOOST_TEST(o.server.bind_address == "127.0.0.1");
    BOOST_TEST(o.server.max_connections == 20000);
    BOOST_TEST(o.server.thread_stack_bytes == 128U * 1024U);
    BOOST_REQUIRE(o.providers.size() == provider_modules().size());
    BOOST_TEST(o.providers[0].module->name == "openai");
    BOOST_TEST(o.providers[0].options.key == "sk-sim-openai");
    BOOST_TEST(o.providers[1].options.key == "sk-sim-anthropic");
    BOOST_TEST(o.providers[1].port == 0);
}

BOOST_AUTO_TEST_CASE(provider_options_and_knobs) {
    const auto o = parse_options({"--openai-port", "8081", "--anthropic-key=k2", "--token-delay-ms", "100",
                                  "--reply-tokens=7", "--providers", "anthropic", "--max-connections", "64"},
                                 provider_modules());
    BOOST_REQUIRE(o.providers.size() == 1U);
    BOOST_TEST(o.providers[0].module->name == "anthropic");
    BOOST_TEST(o.providers[0].options.key == "k2");
    BOOST_TEST(o.server.defaults.token_delay.count() == 100);
    BOOST_TEST(o.server.defaults.reply_tokens == 7U);
    BOOST_TEST(o.server.max_connections == 64);
}

BOOST_AUTO_TEST_CASE(http2_and_tls_options) {
    BOOST_TEST(parse_options({}, provider_modules()).server.h2_max_streams == 100U);
    BOOST_TEST(parse_options({}, provider_modules()).server.tls_cert.empty());
    const auto o = parse_options({"--h2-max-streams", "8", "--tls-cert", "c.pem", "--tls-key", "k.pem"}, provider_modules());
    BOOST_TEST(o.server.h2_max_streams == 8U);
    BOOST_TEST(o.server.tls_cert == "c.pem");
    BOOST_TEST(o.server.tls_key == "k.pem");
    BOOST_CHECK_THROW(parse_options({"--tls-cert", "c.pem"}, provider_modules()), UsageError);
    BOOST_CHECK_THROW(parse_options({"--tls-key", "k.pem"}, provider_modules()), UsageError);
    BOOST_CHECK_THROW(parse_options({"--h2-max-streams", "0"}, provider_modules()), UsageError);
}

BOOST_AUTO_TEST_CASE(bad_usage_throws) {
    BOOST_CHECK_THROW(parse_options({"--nope", "1"}, provider_modules()), UsageError);
    BOOST_CHECK_THROW(parse_options({"--openai-port", "70000"}, provider_modules()), UsageError);
    BOOST_CHECK_THROW(parse_options({"--openai-port"}, provider_modules()), UsageError);
    BOOST_CHECK_THROW(parse_options({"--providers", "bedrock2"}, provider_modules()), UsageError);
    BOOST_CHECK_THROW(parse_options({"positional"}, provider_modules()), UsageError);
}

BOOST_AUTO_TEST_CASE(headers_override_the_knobs) {
    std::map<std::string, std::string> headers{{"x-sim-ttfb-ms", "250"}, {"x-sim-reply-tokens", "3"}};
    const HeaderLookup lookup = [&](std::string_view name) -> std::optional<std::string> {
        const auto it = headers.find(std::string(name));
        if (it == headers.end()) return std::nullopt;
        return it->second;
    };
    Behaviour defaults;
    defaults.token_delay = std::chrono::milliseconds(5);
    std::string error;
    const auto b = behaviour_for_request(defaults, lookup, error);
    BOOST_REQUIRE(b.has_value());
    BOOST_TEST(b->ttfb.count() == 250);
    BOOST_TEST(b->token_delay.count() == 5);
    BOOST_TEST(b->reply_tokens == 3U);

    headers["x-sim-token-delay-ms"] = "-1";
    BOOST_TEST(!behaviour_for_request(defaults, lookup, error).has_value());
    BOOST_TEST(error.find("x-sim-token-delay-ms") != std::string::npos);
    headers["x-sim-token-delay-ms"] = "1";
    headers["x-sim-reply-tokens"] = "0";
    BOOST_TEST(!behaviour_for_request(defaults, lookup, error).has_value());
}

BOOST_AUTO_TEST_CASE(provider_settings) {
    const auto defaults = parse_options({"--providers", "vertex,azure"}, provider_modules());
    BOOST_REQUIRE(defaults.providers.size() == 2U);
    BOOST_TEST(defaults.providers[0].module->name == "vertex");
    BOOST_TEST(defaults.providers[0].options.key == "sim-vertex-api-key");
    BOOST_TEST(defaults.providers[0].options.settings.at("token-ttl-s") == "3600");
    BOOST_TEST(defaults.providers[0].options.settings.at("sa-public-key").empty());
    BOOST_TEST(defaults.providers[1].options.key == "sk-sim-azure");
    BOOST_TEST(defaults.providers[1].options.settings.at("tenant") == "sim-tenant");

    const auto o = parse_options({"--vertex-token-ttl-s", "5", "--azure-client-secret=s3", "--azure-deployments",
                                  "a,b=gpt-4o", "--azure-key", "k"},
                                 provider_modules());
    const auto find = [&](std::string_view name) -> const ProviderLaunch & {
        for (const auto &l : o.providers) {
            if (l.module->name == name) return l;
        }
        throw std::runtime_error("no provider");
    };
    BOOST_TEST(find("vertex").options.settings.at("token-ttl-s") == "5");
    BOOST_TEST(find("azure").options.settings.at("client-secret") == "s3");
    BOOST_TEST(find("azure").options.settings.at("deployments") == "a,b=gpt-4o");
    BOOST_TEST(find("azure").options.key == "k");
    BOOST_TEST(find("openai").options.settings.empty());

    BOOST_CHECK_THROW(parse_options({"--vertex-token-ttl-s", "0"}, provider_modules()), UsageError);
    BOOST_CHECK_THROW(parse_options({"--azure-token-ttl-s", "soon"}, provider_modules()), UsageError);
    BOOST_CHECK_THROW(parse_options({"--azure-tenant="}, provider_modules()), UsageError);
    BOOST_CHECK_THROW(parse_options({"--vertex-sa-public-key", "/no/such/file"}, provider_modules()), UsageError);
    BOOST_CHECK_THROW(parse_options({"--openai-tenant", "x"}, provider_modules()), UsageError);
    const std::string help = usage_text(provider_modules());
    BOOST_TEST(help.find("--vertex-token-ttl-s") != std::string::npos);
    BOOST_TEST(help.find("--azure-client-secret") != std::string::npos);
}
