#define BOOST_TEST_MODULE plugins_azure_openai
#include <boost/test/unit_test.hpp>

#include "../plugin_test_support.hpp"

using namespace helix::test;

namespace {

const std::string kKeyConfig = R"({"endpoint":"https://res.openai.azure.com/","api_key":"azure-secret-key",
                                   "deployments":{"gpt-4":"prod-gpt4"}})";
const std::string kClientConfig = R"({"endpoint":"https://res.openai.azure.com","tenant_id":"tenant-1",
  "client_id":"app-1","client_secret":"s3cret","authority_host":"https://login.example.test"})";
const std::string kManagedConfig = R"({"endpoint":"https://res.openai.azure.com","managed_identity_client_id":"uami-7",
  "identity_endpoint":"http://127.0.0.1:9/metadata/identity/oauth2/token"})";

Request user_request(std::string model = "gpt-4", bool stream = false) {
    Request r;
    r.model = std::move(model);
    r.stream = stream;
    r.messages = {Message::user("hello")};
    return r;
}

bool contains(const std::string &text, std::string_view part) { return text.find(part) != std::string::npos; }

} // namespace

BOOST_AUTO_TEST_CASE(api_key_requests_go_to_the_deployment_with_the_api_version) {
    Harness h(kKeyConfig);
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    Request r = user_request();
    const Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(p.url == "https://res.openai.azure.com/openai/deployments/prod-gpt4/chat/completions?api-version=2024-10-21");
    BOOST_TEST(p.header("api-key") == "azure-secret-key");
    BOOST_TEST(!p.has_header("Authorization"));
    BOOST_TEST(p.json().at("messages").as_array().size() == 1u);
    h.descriptor().call_free(p.call);

    Request other = user_request("gpt-4o"); // not in deployments: a deployment of its own name
    const Prepared q = h.prepare(other);
    BOOST_TEST(q.url.find("/openai/deployments/gpt-4o/chat/completions") != std::string::npos);
    h.descriptor().call_free(q.call);
}

BOOST_AUTO_TEST_CASE(an_http_endpoint_is_refused_unless_loopback) {
    Harness remote(R"({"endpoint":"http://res.openai.azure.com","api_key":"k"})");
    BOOST_TEST(remote.plugin() == nullptr);
    BOOST_TEST(contains(remote.create_error().message, "settings.endpoint is http://"));
    Harness local(R"({"endpoint":"http://127.0.0.1:9","api_key":"k"})");
    BOOST_TEST(local.plugin() != nullptr);
}

BOOST_AUTO_TEST_CASE(data_sources_are_refused_unless_the_settings_allow_them) {
    const std::string body =
        R"({"model":"gpt-4","messages":[{"role":"user","content":"hello"}],"store":true,"data_sources":[{"type":)"
        R"("azure_search","parameters":{"authentication":{"type":"system_assigned_managed_identity"}}}]})";
    Harness h(kKeyConfig);
    Request r = user_request();
    r.original_body = body;
    const Prepared p = h.prepare(r);
    BOOST_TEST(p.status == HELIX_ERR_INVALID_REQUEST);
    BOOST_TEST(p.error.http_status == 400);
    BOOST_TEST(std::string(p.error.param) == "data_sources");
    BOOST_TEST(contains(p.error.message, "allow_data_sources"), p.error.message);

    Harness allowed(R"({"endpoint":"https://res.openai.azure.com","api_key":"k","allow_data_sources":true})");
    BOOST_TEST_REQUIRE(allowed.plugin() != nullptr, allowed.create_error().message);
    Request again = user_request();
    again.original_body = body;
    const Prepared q = allowed.prepare(again);
    BOOST_TEST_REQUIRE(q.status == HELIX_OK, q.error.message);
    BOOST_TEST(q.json().contains("data_sources"));
    BOOST_TEST(!q.json().contains("store")); // not on the list
    allowed.descriptor().call_free(q.call);
}

BOOST_AUTO_TEST_CASE(the_v1_surface_names_the_deployment_in_the_body) {
    Harness h(R"({"endpoint":"https://res.openai.azure.com","api_key":"k","api_version":"v1",
                  "deployments":{"gpt-4":"prod-gpt4"}})");
    Request r = user_request();
    const Prepared p = h.prepare(r);
    BOOST_TEST(p.url == "https://res.openai.azure.com/openai/v1/chat/completions");
    BOOST_TEST(p.json().at("model").as_string() == "prod-gpt4");
    h.descriptor().call_free(p.call);
}

BOOST_AUTO_TEST_CASE(settings_errors_are_clear_and_never_quote_secrets) {
    Harness none(R"({"api_key":"abc123-secret"})");
    BOOST_TEST(none.plugin() == nullptr);
    BOOST_TEST(contains(none.create_error().message, "settings.endpoint is required (AZURE_OPENAI_ENDPOINT"));
    Harness half(R"({"endpoint":"https://r.openai.azure.com","client_secret":"abc123-secret"})");
    BOOST_TEST(half.plugin() == nullptr);
    BOOST_TEST(contains(half.create_error().message, "needs tenant_id and client_id"));
    BOOST_TEST(!contains(half.create_error().message, "abc123-secret"));
    Harness version(R"({"endpoint":"https://r.openai.azure.com","api_key":"k","api_version":"2024-10-21&x=1"})");
    BOOST_TEST(version.plugin() == nullptr);
}

BOOST_AUTO_TEST_CASE(client_credentials_tokens_are_fetched_once_cached_and_refreshed_before_expiry) {
    Harness h(kClientConfig);
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    int issued = 0;
    h.host().responder = [&](const FetchedRequest &) {
        ++issued;
        return FetchReply{200, R"({"token_type":"Bearer","expires_in":3599,"access_token":"tok-)" +
                                   std::to_string(issued) + R"("})"};
    };
    Request r = user_request();
    Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(p.header("Authorization") == "Bearer tok-1");
    BOOST_TEST(!p.has_header("api-key"));
    h.descriptor().call_free(p.call);

    const FetchedRequest &f = h.host().fetched.at(0);
    BOOST_TEST(f.method == "POST");
    BOOST_TEST(f.url == "https://login.example.test/tenant-1/oauth2/v2.0/token");
    BOOST_TEST(f.header("Content-Type") == "application/x-www-form-urlencoded");
    BOOST_TEST(f.body == "grant_type=client_credentials&client_id=app-1&client_secret=s3cret&scope="
                         "https%3A%2F%2Fcognitiveservices.azure.com%2F.default");

    p = h.prepare(r); // cached
    BOOST_TEST(p.header("Authorization") == "Bearer tok-1");
    h.descriptor().call_free(p.call);
    BOOST_TEST(issued == 1);

    h.host().now_ms += (3599 - 4 * 60) * 1000LL; // within five minutes of expiry
    p = h.prepare(r);
    BOOST_TEST(p.header("Authorization") == "Bearer tok-2");
    h.descriptor().call_free(p.call);
    BOOST_TEST(issued == 2);
}

BOOST_AUTO_TEST_CASE(a_401_drops_the_token_so_the_next_prepare_fetches_a_new_one) {
    Harness h(kClientConfig);
    int issued = 0;
    h.host().responder = [&](const FetchedRequest &) {
        ++issued;
        return FetchReply{200, R"({"expires_in":3599,"access_token":"tok-)" + std::to_string(issued) + R"("})"};
    };
    Request r = user_request();
    const Outcome o = h.run(r, 401, json_headers(),
                            R"({"error":{"code":"401","message":"Access denied due to invalid subscription key"}})");
    BOOST_TEST(o.status == HELIX_ERR_AUTH);
    const Prepared p = h.prepare(r);
    BOOST_TEST(p.header("Authorization") == "Bearer tok-2");
    h.descriptor().call_free(p.call);
}

BOOST_AUTO_TEST_CASE(managed_identity_asks_the_metadata_endpoint) {
    Harness h(kManagedConfig);
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    std::string detail_before;
    helix_error detail = make_error();
    BOOST_TEST(h.descriptor().health(h.plugin(), &detail) == HELIX_HEALTH_DEGRADED);
    const std::int64_t expires_on = h.host().now_ms / 1000 + 86399;
    h.host().responder = [&](const FetchedRequest &) {
        return FetchReply{200, R"({"access_token":"mi-token","expires_in":"86399","expires_on":")" +
                                   std::to_string(expires_on) + R"(","token_type":"Bearer"})"};
    };
    Request r = user_request();
    const Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(p.header("Authorization") == "Bearer mi-token");
    h.descriptor().call_free(p.call);
    const FetchedRequest &f = h.host().fetched.at(0);
    BOOST_TEST(f.method == "GET");
    BOOST_TEST(f.url == "http://127.0.0.1:9/metadata/identity/oauth2/token?api-version=2018-02-01&resource="
                        "https%3A%2F%2Fcognitiveservices.azure.com&client_id=uami-7");
    BOOST_TEST(f.header("Metadata") == "true");
    BOOST_TEST(h.descriptor().health(h.plugin(), &detail) == HELIX_HEALTH_OK);
}

BOOST_AUTO_TEST_CASE(a_token_endpoint_that_refuses_is_an_auth_failure_without_the_secret) {
    Harness h(kClientConfig);
    h.host().responder = [](const FetchedRequest &) {
        return FetchReply{401, R"({"error":"invalid_client","error_description":"bad secret s3cret"})"};
    };
    Request r = user_request();
    const Prepared p = h.prepare(r);
    BOOST_TEST(p.status == HELIX_ERR_AUTH);
    BOOST_TEST(!contains(p.error.message, "s3cret"));
    h.host().responder = [](const FetchedRequest &) { return FetchReply{503, "busy"}; };
    BOOST_TEST(h.prepare(r).status == HELIX_ERR_RETRY);
}

BOOST_AUTO_TEST_CASE(azure_stream_with_an_empty_first_chunk_keeps_filter_results) {
    const std::string stream =
        "data: {\"choices\":[],\"created\":0,\"id\":\"\",\"model\":\"\",\"object\":\"\",\"prompt_filter_results\":"
        "[{\"prompt_index\":0,\"content_filter_results\":{\"hate\":{\"filtered\":false,\"severity\":\"safe\"}}}]}\n\n"
        "data: {\"id\":\"chatcmpl-az1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4\","
        "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":null,"
        "\"content_filter_results\":{}}]}\n\n"
        "data: {\"id\":\"chatcmpl-az1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4\","
        "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\",\"content_filter_results\":"
        "{\"violence\":{\"filtered\":false,\"severity\":\"safe\"}}}],\"usage\":null}\n\n"
        "data: {\"id\":\"chatcmpl-az1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4\","
        "\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}\n\n"
        "data: [DONE]\n\n";
    Harness h(kKeyConfig);
    std::string first;
    for (const Cut &cut : every_cut(1)) {
        Request r = user_request("gpt-4", true);
        const Outcome o = h.run(r, 200, sse_headers(), stream, cut.how, cut.seed);
        BOOST_TEST_REQUIRE(o.status == HELIX_OK, o.message);
        BOOST_TEST(contains(o.events, "EXTRA c=0 prompt_filter_results=[{\"prompt_index\":0"), o.events);
        BOOST_TEST(contains(o.events, "TEXT c=0 Hi"));
        BOOST_TEST(contains(o.events, "EXTRA c=0 content_filter_results={\"violence\""), o.events);
        BOOST_TEST(contains(o.events, "FINISH c=0 stop"));
        BOOST_TEST(contains(o.events, "USAGE 3/1/0"));
        if (first.empty()) first = o.summary();
        BOOST_TEST(o.summary() == first); // identical whatever the chunking
    }
}

BOOST_AUTO_TEST_CASE(a_content_filter_refusal_keeps_its_status_and_code) {
    Harness h(kKeyConfig);
    Request r = user_request();
    const Outcome o = h.run(r, 400, json_headers(),
                            R"({"error":{"message":"The response was filtered due to the prompt triggering Azure)"
                            R"( OpenAI's content management policy.","type":null,"param":"prompt",)"
                            R"("code":"content_filter","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation"}}})");
    BOOST_TEST(o.status == HELIX_ERR_UPSTREAM);
    BOOST_TEST(o.http_status == 400);
    BOOST_TEST(o.code == "content_filter");
    BOOST_TEST(contains(o.message, "content management policy"));
}

BOOST_AUTO_TEST_CASE(throttling_passes_retry_after_ms_on) {
    Harness h(kKeyConfig);
    Request r = user_request();
    std::vector<Header> headers = json_headers();
    headers.push_back({"retry-after-ms", "2500"});
    headers.push_back({"retry-after", "3"});
    const Outcome o = h.run(r, 429, headers, R"({"error":{"code":"429","message":"Rate limit is exceeded."}})");
    BOOST_TEST(o.status == HELIX_ERR_RETRY);
    BOOST_TEST(o.http_status == 429);
    BOOST_TEST(o.retry_after_ms == 2500u);
}

BOOST_AUTO_TEST_CASE(embeddings_go_to_the_deployments_embeddings_url_with_the_api_version) {
    Harness h(R"({"endpoint":"https://res.openai.azure.com","api_key":"azure-secret-key",
                 "models":["text-embedding-3-small"],"deployments":{"text-embedding-3-small":"emb-small"}})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    const helix_model_info *m = h.model("text-embedding-3-small");
    BOOST_TEST_REQUIRE(m != nullptr);
    BOOST_TEST((m->capabilities & HELIX_MODEL_EMBEDDINGS) != 0U);
    BOOST_TEST(m->max_embedding_inputs == 2048U);

    EmbeddingsRequest r;
    r.texts = {"one", "two"};
    r.dimensions = 512;
    const Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(p.url == "https://res.openai.azure.com/openai/deployments/emb-small/embeddings?api-version=2024-10-21");
    BOOST_TEST(p.header("api-key") == "azure-secret-key");
    const auto body = p.json();
    BOOST_TEST(body.at("input").as_array().size() == 2U);
    BOOST_TEST(body.at("dimensions") == 512);
    BOOST_TEST(body.at("encoding_format") == "float");
    h.descriptor().call_free(p.call);

    Harness h2(R"({"endpoint":"https://res.openai.azure.com","api_key":"azure-secret-key",
                 "deployments":{"text-embedding-3-small":"emb-small"}})");
    const Outcome o = h2.run(r, 200, json_headers(),
                             R"({"object":"list","data":[{"object":"embedding","index":0,"embedding":[1,0]},)"
                             R"({"object":"embedding","index":1,"embedding":[0,1]}],"usage":{"prompt_tokens":2,"total_tokens":2}})");
    BOOST_TEST(o.status == HELIX_OK, o.message);
    BOOST_TEST(o.events == "EMBEDDING i=0 [1,0]\nEMBEDDING i=1 [0,1]\nUSAGE 2/0/0\n");
}

BOOST_AUTO_TEST_CASE(embeddings_on_the_v1_surface_name_the_deployment_in_the_body) {
    Harness h(R"({"endpoint":"https://res.openai.azure.com","api_key":"k","api_version":"v1",
                 "deployments":{"text-embedding-3-large":"big"}})");
    EmbeddingsRequest r;
    r.model = "text-embedding-3-large";
    r.texts = {"x"};
    const Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(p.url == "https://res.openai.azure.com/openai/v1/embeddings");
    BOOST_TEST(p.json().at("model") == "big");
    h.descriptor().call_free(p.call);
}

BOOST_AUTO_TEST_CASE(embeddings_with_entra_tokens_drop_a_refused_token) {
    Harness h(kClientConfig);
    int issued = 0;
    h.host().responder = [&](const FetchedRequest &) {
        ++issued;
        return FetchReply{200, R"({"expires_in":3599,"access_token":"tok-)" + std::to_string(issued) + R"("})"};
    };
    EmbeddingsRequest r;
    r.texts = {"x"};
    const Outcome o = h.run(r, 401, json_headers(), R"({"error":{"code":"401","message":"Access denied"}})");
    BOOST_TEST(o.status == HELIX_ERR_AUTH, o.message);
    const Prepared p = h.prepare(r);
    BOOST_TEST(p.header("Authorization") == "Bearer tok-2");
    h.descriptor().call_free(p.call);
}

namespace {

const std::string kInstructConfig = R"({"endpoint":"https://res.openai.azure.com/","api_key":"azure-secret-key",
    "models":["gpt-35-turbo-instruct",{"id":"writer","capabilities":["completions"]}],
    "deployments":{"writer":"prod-instruct"}})";

} // namespace

BOOST_AUTO_TEST_CASE(an_instruct_deployment_serves_completions_through_its_completions_operation) {
    Harness h(kInstructConfig);
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    for (const auto &m : h.models()) BOOST_TEST((m.capabilities & HELIX_MODEL_COMPLETIONS) != 0u, sv(m.id));
    CompletionRequest c("writer", R"({"model":"azure/writer","prompt":["a","b"],"echo":true,"data_sources":[]})", false);
    const Prepared p = h.prepare(c.outer);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(p.url == "https://res.openai.azure.com/openai/deployments/prod-instruct/completions?api-version=2024-10-21");
    BOOST_TEST(p.header("api-key") == "azure-secret-key");
    BOOST_TEST(p.json().at("prompt").as_array().size() == 2u);
    BOOST_TEST(p.json().at("echo").as_bool());
    BOOST_TEST(!p.json().contains("data_sources"));
    h.descriptor().call_free(p.call);

    Harness v1(R"({"endpoint":"https://res.openai.azure.com","api_key":"k","api_version":"v1",
                   "models":["gpt-35-turbo-instruct"]})");
    CompletionRequest d("gpt-35-turbo-instruct", R"({"model":"x","prompt":"a"})", false);
    const Prepared q = v1.prepare(d.outer);
    BOOST_TEST_REQUIRE(q.status == HELIX_OK, q.error.message);
    BOOST_TEST(q.url == "https://res.openai.azure.com/openai/v1/completions");
    BOOST_TEST(q.json().at("model").as_string() == "gpt-35-turbo-instruct");
    v1.descriptor().call_free(q.call);
}

BOOST_AUTO_TEST_CASE(an_azure_completions_stream_keeps_filter_results_and_logprobs) {
    const std::string head = R"("id":"cmpl-az","object":"text_completion","created":1,"model":"gpt-35-turbo-instruct")";
    const std::string stream =
        "data: {\"choices\":[],\"created\":0,\"id\":\"\",\"model\":\"\",\"object\":\"\",\"prompt_filter_results\":"
        "[{\"prompt_index\":0,\"content_filter_results\":{}}]}\n\n"
        "data: {" + head + ",\"choices\":[{\"text\":\"Hi\",\"index\":0,\"logprobs\":{\"tokens\":[\"Hi\"]},"
        "\"finish_reason\":null,\"content_filter_results\":{}}]}\n\n"
        "data: {" + head + ",\"choices\":[{\"text\":\"\",\"index\":0,\"logprobs\":null,\"finish_reason\":\"stop\","
        "\"content_filter_results\":{\"hate\":{\"filtered\":false}}}]}\n\n"
        "data: {" + head + ",\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}\n\n"
        "data: [DONE]\n\n";
    Harness h(kInstructConfig);
    CompletionRequest c("gpt-35-turbo-instruct", R"({"model":"m","prompt":"hello","stream":true,"logprobs":0})", true);
    for (const Cut &cut : every_cut(1)) {
        const Outcome o = h.run(c.outer, 200, sse_headers(), stream, cut.how, cut.seed);
        BOOST_TEST_REQUIRE(o.status == HELIX_OK, o.message);
        BOOST_TEST(o.events == "START id=cmpl-az model=gpt-35-turbo-instruct\n"
                               "EXTRA c=0 prompt_filter_results=[{\"prompt_index\":0,\"content_filter_results\":{}}]\n"
                               "EXTRA c=0 logprobs={\"tokens\":[\"Hi\"]}\n"
                               "TEXT c=0 Hi\n"
                               "EXTRA c=0 content_filter_results={\"hate\":{\"filtered\":false}}\n"
                               "FINISH c=0 stop\n"
                               "USAGE 1/1/0\n",
                               o.events);
    }
}
