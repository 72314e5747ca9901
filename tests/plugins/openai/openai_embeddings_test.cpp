#define BOOST_TEST_MODULE plugins_openai_embeddings
#include <boost/test/unit_test.hpp>

#include "../plugin_test_support.hpp"

#include <boost/json.hpp>

using namespace helix::test;
namespace json = boost::json;

namespace {

const std::string kKey = "sk-test-0123456789abcdef";
// Embedding models are served where `models` lists them.
const std::string kConfig =
    R"({"api_key":")" + kKey + R"(","organization":"org-1","models":["gpt-4o","text-embedding-3-small"]})";
const std::vector<Header> kJson{{"Content-Type", "application/json"}};

} // namespace

BOOST_AUTO_TEST_CASE(the_embedding_models_are_listed_with_their_batch_limit) {
    Harness h(kConfig);
    const helix_model_info *m = h.model("text-embedding-3-small");
    BOOST_TEST_REQUIRE(m != nullptr);
    BOOST_TEST((m->capabilities & HELIX_MODEL_EMBEDDINGS) != 0U);
    BOOST_TEST((m->capabilities & HELIX_MODEL_STREAMING) == 0U);
    BOOST_TEST(m->max_embedding_inputs == 2048U);
    const helix_model_info *chat = h.model("gpt-4o");
    BOOST_TEST_REQUIRE(chat != nullptr);
    BOOST_TEST((chat->capabilities & HELIX_MODEL_EMBEDDINGS) == 0U);
}

BOOST_AUTO_TEST_CASE(texts_go_to_the_embeddings_url_as_an_array_asking_for_floats) {
    Harness h(kConfig);
    EmbeddingsRequest r;
    r.texts = {"first", "second"};
    r.dimensions = 256;
    r.encoding = HELIX_ENCODING_BASE64; // the host encodes; upstream is asked for floats
    r.user = "u-7";
    const Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(p.method == "POST");
    BOOST_TEST(p.url == "https://api.openai.com/v1/embeddings");
    BOOST_TEST(p.header("Authorization") == "Bearer " + kKey);
    BOOST_TEST(p.header("OpenAI-Organization") == "org-1");
    BOOST_TEST(p.header("Accept") == "application/json");
    BOOST_TEST(!p.streaming);
    const json::object body = p.json();
    BOOST_TEST(body.at("model") == "text-embedding-3-small");
    BOOST_TEST(body.at("input") == json::parse(R"(["first","second"])"));
    BOOST_TEST(body.at("encoding_format") == "float");
    BOOST_TEST(body.at("dimensions") == 256);
    BOOST_TEST(body.at("user") == "u-7");
    h.descriptor().call_free(p.call);
}

BOOST_AUTO_TEST_CASE(token_inputs_pass_as_arrays_of_ids_and_defaults_are_left_out) {
    Harness h(kConfig);
    EmbeddingsRequest r;
    r.tokens = {{1, 2, 3}, {42}};
    const Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    const json::object body = p.json();
    BOOST_TEST(body.at("input") == json::parse("[[1,2,3],[42]]"));
    BOOST_TEST(!body.contains("dimensions"));
    BOOST_TEST(!body.contains("user"));
    h.descriptor().call_free(p.call);
}

BOOST_AUTO_TEST_CASE(the_list_becomes_embedding_events_by_index_then_usage_however_it_is_cut) {
    const std::string reply =
        R"({"object":"list","data":[{"object":"embedding","index":1,"embedding":[0.25,-1]},)"
        R"({"object":"embedding","index":0,"embedding":[0.5,0.125]}],"model":"text-embedding-3-small",)"
        R"("usage":{"prompt_tokens":9,"total_tokens":9}})";
    for (const Cut &cut : every_cut(1)) {
        Harness h(kConfig);
        EmbeddingsRequest r;
        r.texts = {"a", "b"};
        const Outcome o = h.run(r, 200, kJson, reply, cut.how, cut.seed);
        BOOST_TEST(o.status == HELIX_OK, o.message);
        BOOST_TEST(o.events == "EMBEDDING i=1 [0.25,-1]\nEMBEDDING i=0 [0.5,0.125]\nUSAGE 9/0/0\n");
    }
}

BOOST_AUTO_TEST_CASE(openai_errors_keep_their_status_message_and_param) {
    Harness h(kConfig);
    EmbeddingsRequest r;
    r.texts = {"a"};
    const Outcome bad = h.run(r, 400, kJson,
                              R"({"error":{"message":"This model does not support specifying dimensions.",)"
                              R"("type":"invalid_request_error","param":"dimensions","code":null}})");
    BOOST_TEST(bad.status == HELIX_ERR_UPSTREAM);
    BOOST_TEST(bad.http_status == 400);
    BOOST_TEST(bad.param == "dimensions");
    BOOST_TEST(bad.message.find("does not support specifying dimensions") != std::string::npos);

    Harness h2(kConfig);
    const Outcome limited = h2.run(r, 429, {{"Content-Type", "application/json"}, {"retry-after", "2"}},
                                   R"({"error":{"message":"Rate limit","type":"requests","code":"rate_limit_exceeded"}})");
    BOOST_TEST(limited.status == HELIX_ERR_RETRY);
    BOOST_TEST(limited.retry_after_ms == 2000U);
}

BOOST_AUTO_TEST_CASE(a_body_that_is_not_the_list_is_a_protocol_error) {
    for (const std::string body : {R"({"object":"list"})", R"({"data":[{"index":0}]})",
                                   R"({"data":[{"index":0,"embedding":["x"]}]})", R"({"data":[{"index":0,"embedding":[]}]})",
                                   R"({"data":[{"index":-1,"embedding":[1]}]})", R"({"data":[{"embedding":[1e300]}]})",
                                   R"([1,2])", R"({"data":[)"}) {
        Harness h(kConfig);
        EmbeddingsRequest r;
        r.texts = {"a"};
        const Outcome o = h.run(r, 200, kJson, body);
        BOOST_TEST(o.status == HELIX_ERR_PROTOCOL, body);
    }
}

BOOST_AUTO_TEST_CASE(embedding_models_are_not_in_the_default_list) {
    Harness h(R"({"api_key":"k"})");
    BOOST_TEST(h.model("text-embedding-3-small") == nullptr);
    BOOST_TEST(h.model("gpt-4o") != nullptr);
}

BOOST_AUTO_TEST_CASE(without_a_key_a_remote_base_url_is_a_config_error) {
    Harness h("{}");
    EmbeddingsRequest r;
    r.texts = {"a"};
    const Prepared p = h.prepare(r);
    BOOST_TEST(p.status == HELIX_ERR_CONFIG);
}
