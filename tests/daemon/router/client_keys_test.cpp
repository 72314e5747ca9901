#define BOOST_TEST_MODULE client_keys
#include <boost/test/unit_test.hpp>

#include "daemon/router/client_keys.hpp"

using helix::router::bearer_token;
using helix::router::ClientKeys;

using helix::router::ClientIdentity;

namespace {

helix::config::ApiKey key(std::string name, std::string secret, std::vector<std::string> models = {},
                          std::vector<std::string> providers = {}) {
    return {std::move(name), helix::config::digest_of_key(secret), std::move(models), std::move(providers)};
}

} // namespace

BOOST_AUTO_TEST_CASE(finds_the_identity_of_a_matching_key) {
    const ClientKeys keys({key("alice", "sk-alice-123"), key("bob", "sk-bob-456", {"gpt-4o"})});
    BOOST_TEST_REQUIRE(keys.authenticate("sk-bob-456") != nullptr);
    BOOST_TEST(keys.authenticate("sk-bob-456")->name == "bob");
    BOOST_TEST(keys.authenticate("sk-bob-456")->models == std::vector<std::string>{"gpt-4o"});
    BOOST_TEST(keys.authenticate("sk-alice-123")->name == "alice");
    BOOST_TEST(keys.names() == (std::vector<std::string>{"alice", "bob"}));
}

BOOST_AUTO_TEST_CASE(rejects_wrong_empty_and_prefix_keys) {
    const ClientKeys keys({key("alice", "sk-alice-123")});
    BOOST_TEST(!keys.authenticate("sk-alice-12"));
    BOOST_TEST(!keys.authenticate("sk-alice-1234"));
    BOOST_TEST(!keys.authenticate(""));
    BOOST_TEST(!ClientKeys(std::vector<helix::config::ApiKey>{}).authenticate("anything"));
    BOOST_TEST(ClientKeys(std::vector<helix::config::ApiKey>{}).empty());
}

BOOST_AUTO_TEST_CASE(a_scope_limits_models_and_providers) {
    const ClientIdentity anything{"a", {}, {}};
    BOOST_TEST(!anything.scoped());
    BOOST_TEST(anything.allows("whatever", "openai", "gpt-4o"));

    // A model entry matches the name asked, the served id, or provider/model.
    const ClientIdentity models{"m", {"gpt-4o", "anthropic/claude-3", "fast"}, {}};
    BOOST_TEST(models.allows("gpt-4o", "openai", "gpt-4o"));
    BOOST_TEST(models.allows("openai/gpt-4o", "openai", "gpt-4o"));
    BOOST_TEST(models.allows("azure-openai/gpt-4o", "azure-openai", "gpt-4o"));
    BOOST_TEST(models.allows("anthropic/claude-3", "anthropic", "claude-3"));
    BOOST_TEST(models.allows("claude-3", "anthropic", "claude-3"));            // bare name, allowed provider/model
    BOOST_TEST(!models.allows("claude-3", "aws-bedrock", "claude-3"));         // ...but not elsewhere
    BOOST_TEST(models.allows("fast", "aws-bedrock", "claude-3-haiku"));        // an alias by its name
    BOOST_TEST(!models.allows("gpt-4o-mini", "openai", "gpt-4o-mini"));
    BOOST_TEST(!models.allows("openai/gpt-4", "openai", "gpt-4"));

    const ClientIdentity providers{"p", {}, {"azure-openai"}};
    BOOST_TEST(providers.allows("gpt-4o", "azure-openai", "gpt-4o"));
    BOOST_TEST(!providers.allows("gpt-4o", "openai", "gpt-4o"));

    const ClientIdentity both{"b", {"gpt-4o"}, {"openai"}};
    BOOST_TEST(both.allows("gpt-4o", "openai", "gpt-4o"));
    BOOST_TEST(!both.allows("gpt-4o", "azure-openai", "gpt-4o"));
    BOOST_TEST(!both.allows("gpt-4", "openai", "gpt-4"));
    BOOST_TEST(both.describe_scope() == "models gpt-4o; providers openai");
}

BOOST_AUTO_TEST_CASE(a_provider_model_entry_allows_exactly_that_provider) {
    const ClientIdentity scoped{"s", {"openai/gpt-4o"}, {}};
    BOOST_TEST(scoped.allows("openai/gpt-4o", "openai", "gpt-4o"));
    // What router.explicit_fallback adds for "openai/gpt-4o": not allowed.
    BOOST_TEST(!scoped.allows("openai/gpt-4o", "azure-openai", "gpt-4o"));
    BOOST_TEST(!scoped.allows("gpt-4o", "azure-openai", "gpt-4o"));
    // An alias by its name still reaches its targets.
    const ClientIdentity alias{"a", {"fast"}, {}};
    BOOST_TEST(alias.allows("fast", "aws-bedrock", "claude-3-haiku"));
    BOOST_TEST(!alias.allows("openai/fast", "azure-openai", "gpt-4o"));
}

BOOST_AUTO_TEST_CASE(reads_bearer_tokens) {
    BOOST_TEST(bearer_token("Bearer sk-1") == "sk-1");
    BOOST_TEST(bearer_token("bearer   sk-2  ") == "sk-2");
    BOOST_TEST(bearer_token("BEARER sk-3") == "sk-3");
    BOOST_TEST(bearer_token("Basic dXNlcjpwYXNz").empty());
    BOOST_TEST(bearer_token("Bearer").empty());
    BOOST_TEST(bearer_token("Bearer ").empty());
    BOOST_TEST(bearer_token("").empty());
}
