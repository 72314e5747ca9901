#define BOOST_TEST_MODULE plugins_azure_openai_identity
#include <boost/test/unit_test.hpp>

// AKS workload identity (the federated token file as the client assertion of
// Entra's client credentials grant) and the endpoint host families (Azure
// OpenAI, Cognitive Services, Foundry) with the v1 surface.

#include "../plugin_test_support.hpp"

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace helix::test;

namespace {

bool contains(const std::string &text, std::string_view part) { return text.find(part) != std::string::npos; }

Request user_request(std::string model = "gpt-4o") {
    Request r;
    r.model = std::move(model);
    r.messages = {Message::user("hello")};
    return r;
}

struct TokenFile {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("helix-azure-federated-" + std::to_string(::getpid()));
    explicit TokenFile(const std::string &token) { write(token); }
    ~TokenFile() { std::filesystem::remove(path); }
    void write(const std::string &token) const { std::ofstream(path) << token; }
};

std::string token_reply(const std::string &token) {
    return R"({"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":")" + token + R"("})";
}

} // namespace

BOOST_AUTO_TEST_CASE(workload_identity_sends_the_federated_token_as_the_client_assertion) {
    const TokenFile file("eyJhbGciOiJSUzI1NiJ9.k8s-sa-1.sig\n");
    Harness h(R"({"endpoint":"https://res.openai.azure.com","tenant_id":"tenant-1","client_id":"app-1",
                  "federated_token_file":")" + file.path.string() + R"(","authority_host":"https://login.example.test/"})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    int issued = 0;
    h.host().responder = [&](const FetchedRequest &) { return FetchReply{200, token_reply("entra-" + std::to_string(++issued))}; };
    Request r = user_request();
    Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(p.header("Authorization") == "Bearer entra-1");
    h.descriptor().call_free(p.call);
    BOOST_TEST_REQUIRE(h.host().fetched.size() == 1u);
    const FetchedRequest &f = h.host().fetched[0];
    BOOST_TEST(f.url == "https://login.example.test/tenant-1/oauth2/v2.0/token");
    BOOST_TEST(f.body == "grant_type=client_credentials&client_id=app-1&client_assertion_type=urn%3Aietf%3Aparams%3A"
                         "oauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=eyJhbGciOiJSUzI1NiJ9.k8s-sa-1.sig"
                         "&scope=https%3A%2F%2Fcognitiveservices.azure.com%2F.default");

    // The kubelet rotates the file: a 401 drops the token, the next fetch reads the new one.
    file.write("eyJhbGciOiJSUzI1NiJ9.k8s-sa-2.sig");
    const Outcome o = h.run(r, 401, json_headers(), R"({"error":{"code":"401","message":"Access token has expired."}})");
    BOOST_TEST(o.status == HELIX_ERR_AUTH);
    p = h.prepare(r);
    BOOST_TEST(p.header("Authorization") == "Bearer entra-2");
    h.descriptor().call_free(p.call);
    BOOST_TEST(contains(h.host().fetched.at(1).body, "client_assertion=eyJhbGciOiJSUzI1NiJ9.k8s-sa-2.sig"));

    // Entra's refusal names the status, never the assertion.
    h.host().responder = [](const FetchedRequest &) {
        return FetchReply{400, R"({"error":"invalid_client","error_description":"AADSTS70021: No matching federated identity record found for presented assertion eyJhbGciOiJSUzI1NiJ9.k8s-sa-2.sig"})"};
    };
    h.host().now_ms += 2 * 3600 * 1000;
    p = h.prepare(r);
    BOOST_TEST(p.status == HELIX_ERR_AUTH);
    BOOST_TEST(contains(p.error.message, "workload identity"), p.error.message);
    BOOST_TEST(!contains(p.error.message, "k8s-sa-2"), p.error.message);
    for (const auto &l : h.host().logs) BOOST_TEST(!contains(l, "k8s-sa"));

    Harness incomplete(R"({"endpoint":"https://res.openai.azure.com","federated_token_file":"/var/run/token"})");
    BOOST_TEST(incomplete.plugin() == nullptr);
    BOOST_TEST(contains(incomplete.create_error().message, "AZURE_TENANT_ID"));
    // A client secret wins over the token file (DefaultAzureCredential's order).
    Harness secret(R"({"endpoint":"https://res.openai.azure.com","tenant_id":"t","client_id":"c","client_secret":"s",
                       "federated_token_file":"/nonexistent"})");
    secret.host().responder = [](const FetchedRequest &) { return FetchReply{200, token_reply("from-secret")}; };
    p = secret.prepare(r);
    BOOST_TEST(p.header("Authorization") == "Bearer from-secret");
    secret.descriptor().call_free(p.call);
    BOOST_TEST(contains(secret.host().fetched.at(0).body, "client_secret=s"));
}

BOOST_AUTO_TEST_CASE(endpoint_host_families_and_the_v1_surface) {
    struct Case {
        std::string endpoint, api_version, url;
    };
    const std::vector<Case> cases{
        {"https://res.openai.azure.com/", "", "https://res.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"},
        {"https://res.cognitiveservices.azure.com/openai/", "2025-04-01-preview",
         "https://res.cognitiveservices.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2025-04-01-preview"},
        {"https://proj.services.ai.azure.com/openai/v1/", "", "https://proj.services.ai.azure.com/openai/v1/chat/completions"},
        {"https://res.openai.azure.com", "v1", "https://res.openai.azure.com/openai/v1/chat/completions"},
    };
    for (const Case &c : cases) {
        BOOST_TEST_CONTEXT(c.endpoint) {
            Harness h(R"({"endpoint":")" + c.endpoint + R"(","api_key":"k")" +
                      (c.api_version.empty() ? "" : R"(,"api_version":")" + c.api_version + "\"") + "}");
            BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
            Request r = user_request();
            const Prepared p = h.prepare(r);
            BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
            BOOST_TEST(p.url == c.url);
            BOOST_TEST(!contains(p.url, "api-version") == contains(c.url, "/openai/v1/"));
            h.descriptor().call_free(p.call);
        }
    }
    Harness clash(R"({"endpoint":"https://proj.services.ai.azure.com/openai/v1","api_key":"k","api_version":"2024-10-21"})");
    BOOST_TEST(clash.plugin() == nullptr);
    BOOST_TEST(contains(clash.create_error().message, "/openai/v1"));
}
