#define BOOST_TEST_MODULE plugins_azure_openai_resources
#include <boost/test/unit_test.hpp>

// Several Azure OpenAI resources (regions) under one provider: calls spread
// by weight, a resource that answers 429 / 5xx cools down for its
// Retry-After and its calls go to the others; and the Azure CLI credential
// (az account get-access-token, run by the host) for development.

#include "../plugin_test_support.hpp"

#include "plugins/azure_openai/resource_pool.hpp"

#include <map>

using namespace helix::test;

namespace {

bool contains(const std::string &text, std::string_view part) { return text.find(part) != std::string::npos; }

Request user_request(std::string model = "gpt-4o") {
    Request r;
    r.model = std::move(model);
    r.messages = {Message::user("hello")};
    return r;
}

const std::string kTwoRegions = R"({"endpoint":"https://gw-eastus.openai.azure.com","weight":3,"api_key":"east-key",
    "deployments":{"gpt-4o":"gpt4o-east"},
    "resources":[{"endpoint":"https://gw-sweden.openai.azure.com/openai","api_key":"sweden-key",
                  "deployments":{"gpt-4o":"gpt4o-se"}}]})";

std::string region_of(const Prepared &p) {
    return contains(p.url, "gw-eastus") ? "east" : contains(p.url, "gw-sweden") ? "sweden" : "?";
}

const std::string kOk = R"({"id":"c","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]})";
const std::string kThrottled = R"({"error":{"code":"429","message":"Requests to the ChatCompletions_Create Operation have exceeded the rate limit."}})";

} // namespace

BOOST_AUTO_TEST_CASE(calls_spread_by_weight_with_each_resources_key_and_deployment) {
    Harness h(kTwoRegions);
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    std::map<std::string, int> seen;
    std::string order;
    for (int i = 0; i < 8; ++i) {
        Request r = user_request();
        Prepared p = h.prepare(r);
        BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
        h.descriptor().call_free(p.call);
        const std::string region = region_of(p);
        ++seen[region];
        order += region == "east" ? 'e' : 's';
        if (region == "east") {
            BOOST_TEST(p.header("api-key") == "east-key");
            BOOST_TEST(contains(p.url, "/openai/deployments/gpt4o-east/chat/completions?api-version="), p.url);
        } else {
            BOOST_TEST(p.header("api-key") == "sweden-key");
            BOOST_TEST(p.url.starts_with("https://gw-sweden.openai.azure.com/openai/deployments/gpt4o-se/"), p.url);
        }
    }
    BOOST_TEST(seen["east"] == 6);
    BOOST_TEST(seen["sweden"] == 2);
    BOOST_TEST(order == "eeseeese"); // spread out, not in bursts
}

BOOST_AUTO_TEST_CASE(a_throttled_region_cools_down_and_its_calls_move_to_the_other) {
    Harness h(kTwoRegions);
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    // The first call goes east and is throttled for 7 s.
    Request r = user_request();
    const Outcome throttled = h.run(r, 429, {{"content-type", "application/json"}, {"retry-after", "7"}}, kThrottled);
    BOOST_TEST(throttled.status == HELIX_ERR_RETRY);
    BOOST_TEST(throttled.retry_after_ms == 0u); // sweden can take the retry at once
    for (int i = 0; i < 5; ++i) {
        Prepared p = h.prepare(r);
        BOOST_TEST_REQUIRE(p.status == HELIX_OK);
        h.descriptor().call_free(p.call);
        BOOST_TEST(region_of(p) == "sweden");
    }
    // Sweden fails too while east cools down: its error keeps its Retry-After (nowhere else to go).
    const Outcome both = h.run(r, 503, {{"content-type", "application/json"}, {"retry-after", "2"}},
                               R"({"error":{"code":"503","message":"Service Unavailable"}})");
    BOOST_TEST(both.status == HELIX_ERR_RETRY);
    BOOST_TEST(both.retry_after_ms == 2000u);
    // Both cooling: the first back (sweden, in 2 s) is used; after 7 s east is back, by weight.
    Prepared p = h.prepare(r);
    h.descriptor().call_free(p.call);
    BOOST_TEST(region_of(p) == "sweden");
    h.host().now_ms += 7001;
    p = h.prepare(r);
    h.descriptor().call_free(p.call);
    BOOST_TEST(region_of(p) == "east");
    // A client error does not cool a region down.
    const Outcome bad = h.run(r, 400, {{"content-type", "application/json"}}, R"({"error":{"code":"invalid_request","message":"bad"}})");
    BOOST_TEST(bad.status != HELIX_ERR_RETRY);
    int east = 0;
    for (int i = 0; i < 4; ++i) {
        p = h.prepare(r);
        h.descriptor().call_free(p.call);
        east += region_of(p) == "east" ? 1 : 0;
    }
    BOOST_TEST(east == 3);
    const Outcome ok = h.run(r, 200, {{"content-type", "application/json"}}, kOk);
    BOOST_TEST(ok.status == HELIX_OK);
}

BOOST_AUTO_TEST_CASE(resource_settings_are_checked) {
    const auto error = [](const std::string &json) {
        Harness h(json);
        BOOST_TEST(h.plugin() == nullptr);
        return std::string(h.create_error().message);
    };
    const std::string head = R"({"endpoint":"https://a.openai.azure.com","api_key":"k",)";
    BOOST_TEST(contains(error(head + R"("resources":{"endpoint":"x"}})"), "settings.resources must be a list"));
    BOOST_TEST(contains(error(head + R"("resources":[{"weight":2}]})"), "resources[0].endpoint is required"));
    BOOST_TEST(contains(error(head + R"("resources":[{"endpoint":"http://b.openai.azure.com"}]})"), "resources[0].endpoint"));
    BOOST_TEST(contains(error(head + R"("resources":[{"endpoint":"https://b.openai.azure.com","weight":0}]})"), "1..1000"));
    BOOST_TEST(contains(error(head + R"("weight":5000})"), "settings.weight"));
    BOOST_TEST(contains(error(head + R"("resources":[{"endpoint":"https://b.openai.azure.com","region":"x"}]})"), "unknown key 'region'"));
    const std::string leaked = error(head + R"("resources":[{"endpoint":"https://b.openai.azure.com","api_key":"sk-\nleak"}]})");
    BOOST_TEST(contains(leaked, "resources[0].api_key"));
    BOOST_TEST(!contains(leaked, "leak"));
}

BOOST_AUTO_TEST_CASE(an_entra_token_serves_every_resource_without_its_own_key) {
    Harness h(R"({"endpoint":"https://a.openai.azure.com","tenant_id":"t","client_id":"c","client_secret":"s",
                  "resources":[{"endpoint":"https://b.cognitiveservices.azure.com"},{"endpoint":"https://c.openai.azure.com","api_key":"c-key"}]})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    h.host().responder = [](const FetchedRequest &) {
        return FetchReply{200, R"({"token_type":"Bearer","expires_in":3599,"access_token":"entra-1"})"};
    };
    for (int i = 0; i < 3; ++i) {
        Request r = user_request();
        Prepared p = h.prepare(r);
        BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
        h.descriptor().call_free(p.call);
        if (contains(p.url, "c.openai.azure.com")) BOOST_TEST(p.header("api-key") == "c-key");
        else BOOST_TEST(p.header("Authorization") == "Bearer entra-1");
    }
    BOOST_TEST(h.host().fetched.size() == 1u); // one token for both
}

BOOST_AUTO_TEST_CASE(the_azure_cli_credential_runs_az_through_the_host_and_caches_its_token) {
    Harness h(R"({"endpoint":"https://a.openai.azure.com","azure_cli":true,"tenant_id":"contoso.onmicrosoft.com"})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    const std::int64_t now_s = h.host().now_ms / 1000;
    int runs = 0;
    h.host().processor = [&](const std::string &) {
        return ProcessReply{0, R"({"accessToken":"cli-token-)" + std::to_string(++runs) +
                                   R"(","expiresOn":"2023-11-14 23:13:20.000000","expires_on":)" +
                                   std::to_string(now_s + 3600) + R"(,"subscription":"sub","tenant":"t","tokenType":"Bearer"})"};
    };
    Request r = user_request();
    Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    h.descriptor().call_free(p.call);
    BOOST_TEST(p.header("Authorization") == "Bearer cli-token-1");
    BOOST_TEST_REQUIRE(h.host().processes.size() == 1u);
    BOOST_TEST(h.host().processes[0] == "'az' account get-access-token --output json --resource "
                                        "'https://cognitiveservices.azure.com' --tenant 'contoso.onmicrosoft.com'");
    // Cached until five minutes before expires_on; a 401 runs az again.
    h.host().now_ms += 50 * 60 * 1000;
    p = h.prepare(r);
    h.descriptor().call_free(p.call);
    BOOST_TEST(h.host().processes.size() == 1u);
    h.run(r, 401, {{"content-type", "application/json"}}, R"({"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint."}})");
    p = h.prepare(r);
    h.descriptor().call_free(p.call);
    BOOST_TEST(p.header("Authorization") == "Bearer cli-token-2");

    // Not logged in: an AUTH error that says what to do, the CLI's words in the log only.
    h.host().processor = [](const std::string &) {
        return ProcessReply{1, "", "ERROR: Please run 'az login' to setup account.\n"};
    };
    h.host().now_ms += 2 * 3600 * 1000;
    p = h.prepare(r);
    BOOST_TEST(p.status == HELIX_ERR_AUTH);
    BOOST_TEST(contains(p.error.message, "az login"), p.error.message);
    BOOST_TEST(contains(h.host().logs.back(), "Please run 'az login'"));
    h.host().processor = [](const std::string &) { return ProcessReply{0, R"({"tokenType":"Bearer"})"}; };
    p = h.prepare(r);
    BOOST_TEST(p.status == HELIX_ERR_AUTH);
    BOOST_TEST(contains(p.error.message, "no accessToken"), p.error.message);

    // A key wins over the CLI; without the flag, managed identity stays the last source.
    Harness keyed(R"({"endpoint":"https://a.openai.azure.com","azure_cli":true,"api_key":"k","azure_cli_path":"/opt/az/bin/az"})");
    BOOST_TEST_REQUIRE(keyed.plugin() != nullptr);
    p = keyed.prepare(r);
    keyed.descriptor().call_free(p.call);
    BOOST_TEST(p.header("api-key") == "k");
    BOOST_TEST(keyed.host().processes.empty());
}
