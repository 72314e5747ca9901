#define BOOST_TEST_MODULE cloudsim_vertex
#include <boost/test/unit_test.hpp>

#include "plugins/gcp_common/service_account.hpp"
#include "tools/cloudsim/vertex_auth.hpp"
#include "tools/cloudsim/vertex_claude.hpp"
#include "tools/cloudsim/vertex_federation.hpp"
#include "tools/cloudsim/vertex_openai.hpp"
#include "tools/cloudsim/vertex_wire.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <string>
#include <vector>

using namespace helix::cloudsim;
namespace json = boost::json;
namespace gcp = helix::gcp;

namespace {

const std::string kModel = "gemini-2.0-flash";

const vertex::ResponseMeta kMeta{"resp-1", "2025-01-01T00:00:00.000000Z", "gemini-2.0-flash"};

const char *kWeatherTools = R"("tools":[{"functionDeclarations":[{"name":"get_weather","parameters":
    {"type":"OBJECT","properties":{"city":{"type":"STRING"},"unit":{"type":"STRING","enum":["c","f"]},
    "days":{"type":"INTEGER"}}}}]}])";

vertex::GenerateRequest parse_ok(const std::string &body) {
    vertex::ApiError e;
    auto req = vertex::parse_generate_request(body, kModel, e);
    BOOST_TEST_REQUIRE(req.has_value(), e.message);
    return *req;
}

std::string parse_error(const std::string &body) {
    vertex::ApiError e;
    BOOST_TEST_REQUIRE(!vertex::parse_generate_request(body, kModel, e).has_value());
    BOOST_TEST(e.code == 400);
    BOOST_TEST(e.status == "INVALID_ARGUMENT");
    return e.message;
}

std::vector<std::string> drain(FrameSource &source, std::size_t &token_frames) {
    std::vector<std::string> out;
    Frame f;
    token_frames = 0;
    while (source.next(f)) {
        out.push_back(f.bytes);
        if (f.token) ++token_frames;
    }
    return out;
}

// A service account whose key the test generates.
struct TestAccount {
    gcp::ServiceAccountKey key;
    gcp::RsaKey rsa;
};

const TestAccount &test_account() {
    static const TestAccount account = [] {
        std::string error;
        auto rsa = gcp::RsaKey::generate(2048, error);
        BOOST_TEST_REQUIRE(rsa.has_value(), error);
        gcp::ServiceAccountKey key;
        key.client_email = "unit@test.iam.gserviceaccount.com";
        key.private_key_id = "kid-unit";
        key.private_key = rsa->private_pem();
        key.token_uri = "http://sim/token";
        return TestAccount{key, *rsa};
    }();
    return account;
}

std::string assertion_form(const gcp::AssertionClaims &claims, const gcp::ServiceAccountKey &key) {
    std::string error;
    const auto jwt = gcp::sign_assertion(key, claims, error);
    BOOST_TEST_REQUIRE(jwt.has_value(), error);
    return gcp::token_request_body(*jwt);
}

} // namespace

BOOST_AUTO_TEST_CASE(model_paths) {
    const auto p = vertex::parse_model_path(
        "/v1/projects/my-proj/locations/us-central1/publishers/google/models/gemini-2.0-flash:streamGenerateContent");
    BOOST_TEST_REQUIRE(p.has_value());
    BOOST_TEST(p->version == "v1");
    BOOST_TEST(p->project == "my-proj");
    BOOST_TEST(p->location == "us-central1");
    BOOST_TEST(p->publisher == "google");
    BOOST_TEST(p->model == "gemini-2.0-flash");
    BOOST_TEST(p->method == "streamGenerateContent");
    BOOST_TEST(vertex::resource_name(*p) ==
               "projects/my-proj/locations/us-central1/publishers/google/models/gemini-2.0-flash");

    const auto express = vertex::parse_model_path("/v1beta1/publishers/google/models/text-bison%40002:predict");
    BOOST_TEST_REQUIRE(express.has_value());
    BOOST_TEST(express->project.empty());
    BOOST_TEST(express->model == "text-bison@002");
    BOOST_TEST(vertex::resource_name(*express) == "publishers/google/models/text-bison@002");

    BOOST_TEST(!vertex::parse_model_path("/v2/publishers/google/models/m:generateContent"));
    BOOST_TEST(!vertex::parse_model_path("/v1/publishers/google/models/m"));
    BOOST_TEST(!vertex::parse_model_path("/v1/publishers/google/models/m:"));
    BOOST_TEST(!vertex::parse_model_path("/v1/projects/p/locations/l/models/m:generateContent"));
    BOOST_TEST(!vertex::parse_model_path("/v1/chat/completions"));

    BOOST_TEST((vertex::model_family("gemini-2.5-pro") == vertex::ModelFamily::gemini));
    BOOST_TEST((vertex::model_family("text-bison@002") == vertex::ModelFamily::text_bison));
    BOOST_TEST((vertex::model_family("code-bison-32k") == vertex::ModelFamily::code_bison));
    BOOST_TEST((vertex::model_family("code-gecko") == vertex::ModelFamily::code_gecko));
    BOOST_TEST((vertex::model_family("claude-3") == vertex::ModelFamily::unknown));
}

BOOST_AUTO_TEST_CASE(request_prompt_and_tokens) {
    const auto req = parse_ok(R"({"systemInstruction":{"parts":[{"text":"Be terse."}]},
        "contents":[{"role":"user","parts":[{"text":"Hello there"},{"inlineData":{"mimeType":"image/png","data":"AA=="}}]},
                    {"role":"model","parts":[{"text":"Hi."}]},
                    {"role":"user","parts":[{"text":"How are you?"}]}],
        "generationConfig":{"maxOutputTokens":7,"temperature":0.5}})");
    // Be terse. (2) + Hello there (2) + Hi. (1) + How are you? (3)
    BOOST_TEST(req.prompt.prompt_tokens == 8U);
    BOOST_TEST(req.prompt.last_user_text == "How are you?");
    BOOST_TEST(req.prompt.max_tokens.value_or(0) == 7U);
    BOOST_TEST(req.prompt.model == kModel);
    BOOST_TEST(!req.prompt.ends_with_tool_result);

    // snake_case spellings are accepted as Google's JSON parser does.
    const auto snake = parse_ok(R"({"system_instruction":{"parts":[{"text":"x"}]},"contents":[{"parts":[{"text":"y"}]}],
        "generation_config":{"max_output_tokens":2}})");
    BOOST_TEST(snake.prompt.prompt_tokens == 2U);
    BOOST_TEST(snake.prompt.max_tokens.value_or(0) == 2U);
    BOOST_TEST(snake.prompt.last_user_text == "y");
}

BOOST_AUTO_TEST_CASE(request_validation) {
    BOOST_TEST(parse_error("{").find("Invalid JSON payload") != std::string::npos);
    BOOST_TEST(parse_error(R"({"contents":[]})").find("empty contents") != std::string::npos);
    BOOST_TEST(parse_error(R"({})").find("empty contents") != std::string::npos);
    BOOST_TEST(parse_error(R"({"contents":[{"role":"user","parts":[]}]})").find("parts") != std::string::npos);
    BOOST_TEST(parse_error(R"({"contents":[{"role":"assistant","parts":[{"text":"x"}]}]})") ==
               "Please use a valid role: user, model.");
    BOOST_TEST(parse_error(R"({"contents":[{"role":"user","parts":[{"text":""}]}]})").find("empty text") !=
               std::string::npos);
    BOOST_TEST(parse_error(R"({"contents":[{"parts":[{"text":"x"}]}],"system":"x"})") ==
               "Invalid JSON payload received. Unknown name \"system\": Cannot find field.");
    BOOST_TEST(parse_error(R"({"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"temperature":2.5}})")
                   .find("temperature value of 2.5") != std::string::npos);
    BOOST_TEST(parse_error(R"({"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"maxOutputTokens":0}})")
                   .find("maxOutputTokens") != std::string::npos);
    BOOST_TEST(parse_error(R"({"contents":[{"parts":[{"text":"x"}]}],
        "tools":[{"functionDeclarations":[{"name":"1bad name"}]}]})").find("Invalid function name") != std::string::npos);
    BOOST_TEST(parse_error(R"({"contents":[{"parts":[{"bogus":1}]}]})").find("has no data") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(function_call_reply_and_round_trip) {
    const auto req = parse_ok(std::string(R"({"contents":[{"role":"user","parts":[{"text":"call tool get_weather"}]}],)") +
                              kWeatherTools + "}");
    BOOST_REQUIRE(req.prompt.tools.size() == 1U);
    const Reply reply = generate_reply(req.prompt, 20);
    BOOST_REQUIRE(reply.tool_call.has_value());
    // Upper-case OpenAPI types become JSON-schema types for the argument builder.
    BOOST_TEST(reply.tool_call->arguments == R"({"city":"sim-city","unit":"c","days":42})");

    const auto body = json::parse(vertex::generate_body(reply, kMeta)).as_object();
    const auto &cand = body.at("candidates").as_array()[0].as_object();
    BOOST_TEST(cand.at("finishReason").as_string() == "STOP");
    const auto &call = cand.at("content").at("parts").as_array()[0].at("functionCall").as_object();
    BOOST_TEST(call.at("name").as_string() == "get_weather");
    BOOST_TEST(call.at("args").at("days").as_int64() == 42);
    BOOST_TEST(body.at("usageMetadata").at("candidatesTokenCount").as_int64() == 2);

    const auto next = parse_ok(std::string(R"({"contents":[{"role":"user","parts":[{"text":"call tool get_weather"}]},
        {"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}}]},
        {"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"temp":18}}}]}],)") +
                               kWeatherTools + "}");
    BOOST_TEST(next.prompt.ends_with_tool_result);
    BOOST_TEST(next.prompt.tool_result_text == R"({"temp":18})");
    // "call tool get_weather" (3) + get_weather (1) + {"city":"Paris"} (1) + {"temp":18} (1)
    BOOST_TEST(next.prompt.prompt_tokens == 6U);
    BOOST_TEST(generate_reply(next.prompt, 20).text() == R"(Tool result: {"temp":18})");
}

BOOST_AUTO_TEST_CASE(function_calling_modes) {
    const std::string contents = R"({"contents":[{"parts":[{"text":"anything"}]}],)";
    const auto any = parse_ok(contents + kWeatherTools + R"(,"toolConfig":{"functionCallingConfig":{"mode":"ANY"}}})");
    BOOST_TEST((any.prompt.tool_choice == ToolChoice::required));
    BOOST_TEST(generate_reply(any.prompt, 5).tool_call.has_value());
    const auto none = parse_ok(R"({"contents":[{"parts":[{"text":"call tool get_weather"}]}],)" +
                               std::string(kWeatherTools) + R"(,"toolConfig":{"functionCallingConfig":{"mode":"NONE"}}})");
    BOOST_TEST(!generate_reply(none.prompt, 5).tool_call.has_value());
    BOOST_TEST(parse_error(contents + kWeatherTools +
                           R"(,"toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["x"]}}})")
                   .find("ANY") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(text_body_and_stream_agree) {
    const auto req = parse_ok(R"({"contents":[{"parts":[{"text":"Hello stream"}]}]})");
    const Reply reply = generate_reply(req.prompt, 6);
    const auto whole = json::parse(vertex::generate_body(reply, kMeta)).as_object();
    const std::string text(whole.at("candidates").as_array()[0].at("content").at("parts").as_array()[0].at("text").as_string());
    BOOST_TEST(text.starts_with("You said: Hello stream"));
    const auto &usage = whole.at("usageMetadata").as_object();
    BOOST_TEST(usage.at("promptTokenCount").as_int64() == 2);
    BOOST_TEST(usage.at("candidatesTokenCount").as_int64() == 6);
    BOOST_TEST(usage.at("totalTokenCount").as_int64() == 8);
    BOOST_TEST(whole.at("modelVersion").as_string() == "gemini-2.0-flash");

    // SSE: one `data: ...\r\n\r\n` event per token, finish and usage on the last.
    vertex::ChunkStream sse(reply, kMeta, vertex::StreamFraming::sse);
    std::size_t tokens = 0;
    const auto frames = drain(sse, tokens);
    BOOST_TEST(tokens == 6U);
    BOOST_TEST(frames.size() == 6U);
    std::string joined;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        BOOST_TEST(frames[i].starts_with("data: "));
        BOOST_TEST(frames[i].ends_with("}\r\n\r\n"));
        BOOST_TEST(frames[i].find('\n') == frames[i].size() - 3); // the JSON is on one line
        const auto chunk = json::parse(frames[i].substr(6)).as_object();
        const auto &cand = chunk.at("candidates").as_array()[0].as_object();
        joined += cand.at("content").at("parts").as_array()[0].at("text").as_string();
        BOOST_TEST(cand.contains("finishReason") == (i + 1 == frames.size()));
        BOOST_TEST(chunk.at("usageMetadata").as_object().contains("totalTokenCount") == (i + 1 == frames.size()));
    }
    BOOST_TEST(joined == text);

    // JSON array: the frames concatenate to one array of the same chunks.
    vertex::ChunkStream array(reply, kMeta, vertex::StreamFraming::json_array);
    const auto parts = drain(array, tokens);
    BOOST_TEST(parts.size() == 7U); // six chunks and the closing bracket
    std::string all;
    for (const auto &p : parts) all += p;
    BOOST_TEST(all.front() == '[');
    BOOST_TEST(all.ends_with("\r\n]"));
    const auto doc = json::parse(all).as_array();
    BOOST_TEST(doc.size() == 6U);
    BOOST_TEST(doc[5].at("candidates").as_array()[0].at("finishReason").as_string() == "STOP");
}

BOOST_AUTO_TEST_CASE(max_tokens_safety_and_blocked) {
    auto req = parse_ok(R"({"contents":[{"parts":[{"text":"a b c d"}]}],"generationConfig":{"maxOutputTokens":2}})");
    const Reply cut = generate_reply(req.prompt, 20);
    BOOST_TEST(json::parse(vertex::generate_body(cut, kMeta)).at("candidates").as_array()[0].at("finishReason").as_string() ==
               "MAX_TOKENS");

    req = parse_ok(R"({"contents":[{"parts":[{"text":"a b c d"}]}]})");
    const Reply reply = generate_reply(req.prompt, 10);
    const auto safety = json::parse(vertex::safety_stop_chunk(reply, 0, kMeta)).as_object();
    const auto &cand = safety.at("candidates").as_array()[0].as_object();
    BOOST_TEST(cand.at("finishReason").as_string() == "SAFETY");
    BOOST_TEST(!cand.contains("content"));
    BOOST_TEST(!safety.at("usageMetadata").as_object().contains("candidatesTokenCount"));

    vertex::ChunkStream stream(reply, kMeta, vertex::StreamFraming::sse, true);
    std::size_t tokens = 0;
    const auto frames = drain(stream, tokens);
    BOOST_TEST(tokens == 2U);
    BOOST_REQUIRE(frames.size() == 3U);
    const auto last = json::parse(frames[2].substr(6)).as_object();
    BOOST_TEST(last.at("candidates").as_array()[0].at("finishReason").as_string() == "SAFETY");
    BOOST_TEST(last.at("usageMetadata").at("candidatesTokenCount").as_int64() == 2);

    const auto blocked = json::parse(vertex::blocked_prompt_body(4, kMeta)).as_object();
    BOOST_TEST(!blocked.contains("candidates"));
    BOOST_TEST(blocked.at("promptFeedback").at("blockReason").as_string() == "SAFETY");
}

BOOST_AUTO_TEST_CASE(errors_and_malformed_frames) {
    vertex::ApiError e;
    e.code = 429;
    e.status = "RESOURCE_EXHAUSTED";
    e.message = "Resource exhausted.";
    const auto body = json::parse(vertex::error_body(e)).as_object();
    BOOST_TEST(body.at("error").at("code").as_int64() == 429);
    BOOST_TEST(body.at("error").at("status").as_string() == "RESOURCE_EXHAUSTED");
    BOOST_TEST(!body.at("error").as_object().contains("details"));
    const auto wrapped = json::parse(vertex::framed_error_body(e, true));
    BOOST_TEST(wrapped.as_array()[0].at("error").at("code").as_int64() == 429);

    const auto nf = vertex::model_not_found("publishers/google/models/x");
    BOOST_TEST(nf.code == 404);
    BOOST_TEST(nf.status == "NOT_FOUND");

    boost::system::error_code ec;
    const std::string sse = vertex::malformed_chunk(vertex::StreamFraming::sse);
    BOOST_TEST(sse.starts_with("data: {"));
    json::parse(sse.substr(6), ec);
    BOOST_TEST(ec.failed());
}

BOOST_AUTO_TEST_CASE(count_tokens_and_predict) {
    const auto req = parse_ok(R"({"contents":[{"parts":[{"text":"two  words"}]}]})");
    const auto counted = json::parse(vertex::count_tokens_body(req.prompt)).as_object();
    BOOST_TEST(counted.at("totalTokens").as_int64() == 2);
    BOOST_TEST(counted.at("totalBillableCharacters").as_int64() == 8);

    vertex::ApiError e;
    const auto text = vertex::parse_predict_request(R"({"instances":[{"prompt":"Write a haiku"}],"parameters":{"maxOutputTokens":3}})",
                                                    vertex::ModelFamily::text_bison, "text-bison", e);
    BOOST_TEST_REQUIRE(text.has_value(), e.message);
    BOOST_TEST(text->instances[0].max_tokens.value_or(0) == 3U);
    std::vector<Reply> replies{generate_reply(text->instances[0], 20)};
    const auto body = json::parse(vertex::predict_body(replies, text->instances)).as_object();
    BOOST_TEST(body.at("predictions").as_array()[0].at("content").as_string() == "You said: Write");
    const auto &meta = body.at("metadata").at("tokenMetadata").as_object();
    BOOST_TEST(meta.at("inputTokenCount").at("totalTokens").as_int64() == 3);
    BOOST_TEST(meta.at("outputTokenCount").at("totalTokens").as_int64() == 3);

    const auto code = vertex::parse_predict_request(R"({"instances":[{"prefix":"def f():","suffix":"return 1"}]})",
                                                    vertex::ModelFamily::code_gecko, "code-gecko", e);
    BOOST_TEST_REQUIRE(code.has_value(), e.message);
    BOOST_TEST(code->instances[0].prompt_tokens == 4U);
    BOOST_TEST(!vertex::parse_predict_request(R"({"instances":[{"prompt":"x"}]})", vertex::ModelFamily::code_bison,
                                              "code-bison", e));
    BOOST_TEST(!vertex::parse_predict_request(R"({"instances":[]})", vertex::ModelFamily::text_bison, "text-bison", e));
}

BOOST_AUTO_TEST_CASE(access_tokens_expire_and_need_the_scope) {
    const vertex::AccessTokens tokens(60, "secret-1");
    const std::int64_t now = 1'750'000'000;
    const std::string token = tokens.issue("sa@x", std::string(gcp::kCloudPlatformScope) + " openid", now);
    BOOST_TEST(token.starts_with("ya29.sim."));
    BOOST_TEST((tokens.check(token, now) == vertex::AccessTokens::Check::ok));
    BOOST_TEST((tokens.check(token, now + 59) == vertex::AccessTokens::Check::ok));
    BOOST_TEST((tokens.check(token, now + 60) == vertex::AccessTokens::Check::expired));
    BOOST_TEST((tokens.check("ya29.something-else", now) == vertex::AccessTokens::Check::malformed));
    BOOST_TEST((tokens.check("Bearer x", now) == vertex::AccessTokens::Check::malformed));
    // Another process (another secret) did not mint it.
    BOOST_TEST((vertex::AccessTokens(60, "secret-2").check(token, now) == vertex::AccessTokens::Check::malformed));
    const std::string narrow = tokens.issue("sa@x", "https://www.googleapis.com/auth/devstorage.read_only", now);
    BOOST_TEST((tokens.check(narrow, now) == vertex::AccessTokens::Check::insufficient_scope));
}

BOOST_AUTO_TEST_CASE(revoking_invalidates_every_token_issued_before) {
    vertex::AccessTokens tokens(60, "secret-1");
    const std::int64_t now = 1'750'000'000;
    const std::string before = tokens.issue("sa@x", gcp::kCloudPlatformScope, now);
    tokens.revoke_all();
    BOOST_TEST((tokens.check(before, now) == vertex::AccessTokens::Check::malformed));
    const std::string after = tokens.issue("sa@x", gcp::kCloudPlatformScope, now);
    BOOST_TEST((tokens.check(after, now) == vertex::AccessTokens::Check::ok));
}

BOOST_AUTO_TEST_CASE(token_endpoint_verifies_the_assertion) {
    const auto &account = test_account();
    vertex::TrustedAccounts accounts;
    std::string error;
    const auto pub = gcp::RsaKey::from_public_pem(account.rsa.public_pem(), error);
    BOOST_TEST_REQUIRE(pub.has_value(), error);
    accounts.add(account.key.client_email, account.key.private_key_id, *pub);
    const vertex::AccessTokens tokens(3600, "s");
    const std::vector<std::string> audiences{"https://oauth2.googleapis.com/token", "http://sim/token"};
    const std::int64_t now = 1'750'000'000;

    const auto claims = gcp::make_assertion_claims(account.key, gcp::kCloudPlatformScope, now);
    const auto ok = vertex::token_endpoint(assertion_form(claims, account.key), accounts, tokens, audiences, now);
    BOOST_TEST(ok.status == 200);
    const auto body = json::parse(ok.body).as_object();
    BOOST_TEST(body.at("token_type").as_string() == "Bearer");
    BOOST_TEST(body.at("expires_in").as_int64() == 3600);
    BOOST_TEST((tokens.check(body.at("access_token").as_string(), now) == vertex::AccessTokens::Check::ok));

    const auto expect_error = [&](const std::string &form, std::string_view error_code) {
        const auto reply = vertex::token_endpoint(form, accounts, tokens, audiences, now);
        BOOST_TEST(reply.status == 400);
        BOOST_TEST(json::parse(reply.body).at("error").as_string() == error_code);
        return std::string(json::parse(reply.body).at("error_description").as_string());
    };
    expect_error("grant_type=client_credentials", "unsupported_grant_type");
    expect_error("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer", "invalid_request");
    expect_error(gcp::token_request_body("not.a.jwt"), "invalid_grant");

    auto stale = claims;
    stale.iat = now - 7200;
    stale.exp = now - 3600;
    BOOST_TEST(expect_error(assertion_form(stale, account.key), "invalid_grant").find("iat and exp") != std::string::npos);

    // Signed by another key: the signature does not verify.
    std::string e2;
    const auto other = gcp::RsaKey::generate(2048, e2);
    BOOST_TEST_REQUIRE(other.has_value(), e2);
    auto impostor = account.key;
    impostor.private_key = other->private_pem();
    BOOST_TEST(expect_error(assertion_form(claims, impostor), "invalid_grant") == "Invalid JWT Signature.");

    auto stranger = claims;
    stranger.iss = "nobody@x.iam.gserviceaccount.com";
    BOOST_TEST(expect_error(assertion_form(stranger, account.key), "invalid_grant") == "Invalid grant: account not found");

    // A bare PEM key is trusted for any account name.
    vertex::TrustedAccounts any;
    BOOST_TEST(any.add_from_text(account.rsa.public_pem(), error).has_value());
    BOOST_TEST(vertex::token_endpoint(assertion_form(stranger, account.key), any, tokens, audiences, now).status == 200);
    // A key file: its account and the public half of its key.
    vertex::TrustedAccounts from_file;
    const auto email = from_file.add_from_text(gcp::service_account_key_json(account.key), error);
    BOOST_TEST_REQUIRE(email.has_value(), error);
    BOOST_TEST(*email == account.key.client_email);
    BOOST_TEST(vertex::token_endpoint(assertion_form(claims, account.key), from_file, tokens, audiences, now).status == 200);
    BOOST_TEST(!from_file.add_from_text("{\"client_email\":\"a\"}", error).has_value());
}

BOOST_AUTO_TEST_CASE(metadata_tokens_and_query) {
    const vertex::AccessTokens tokens(100, "s");
    const auto reply = vertex::metadata_token(tokens, "sa@x", "", 1000);
    BOOST_TEST(reply.status == 200);
    const auto body = json::parse(reply.body).as_object();
    BOOST_TEST(body.at("expires_in").as_int64() == 100);
    BOOST_TEST((tokens.check(body.at("access_token").as_string(), 1000) == vertex::AccessTokens::Check::ok));
    const auto scoped = vertex::metadata_token(
        tokens, "sa@x", "https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fuserinfo.email", 1000);
    BOOST_TEST((tokens.check(json::parse(scoped.body).at("access_token").as_string(), 1000) ==
                vertex::AccessTokens::Check::insufficient_scope));

    BOOST_TEST(vertex::query_param("alt=sse&key=a%20b", "key").value_or("") == "a b");
    BOOST_TEST(vertex::query_param("alt=sse", "alt").value_or("") == "sse");
    BOOST_TEST(!vertex::query_param("alternative=1", "alt").has_value());
}

// authorized_user refresh tokens, Google STS token exchange and IAM
// generateAccessToken, as the federation endpoints answer them.
BOOST_AUTO_TEST_CASE(federation_endpoints) {
    const vertex::AccessTokens tokens(600, "fed-secret");
    vertex::FederationSettings s;
    s.subject_token = "oidc-1";
    const std::int64_t now = 1'790'000'000;
    const auto error_of = [](const vertex::HttpReply &r) { return std::string(json::parse(r.body).at("error").as_string()); };

    const std::string user = "grant_type=refresh_token&client_id=" + gcp::form_encode(s.oauth_client_id) +
                             "&client_secret=" + s.oauth_client_secret + "&refresh_token=" + gcp::form_encode(s.refresh_token);
    const auto ok = vertex::refresh_token_grant(user, s, tokens, now);
    BOOST_TEST_REQUIRE(ok.status == 200, ok.body);
    const std::string access(json::parse(ok.body).at("access_token").as_string());
    BOOST_TEST((tokens.check(access, now) == vertex::AccessTokens::Check::ok));
    BOOST_TEST(error_of(vertex::refresh_token_grant(user + "x", s, tokens, now)) == "invalid_grant");
    const auto bad_client = vertex::refresh_token_grant("grant_type=refresh_token&client_id=other&refresh_token=r", s, tokens, now);
    BOOST_TEST(bad_client.status == 401);
    BOOST_TEST(error_of(bad_client) == "invalid_client");

    const std::string audience = gcp::form_encode(
        "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/x");
    const std::string exchange = "grant_type=" + gcp::form_encode("urn:ietf:params:oauth:grant-type:token-exchange") +
                                 "&audience=" + audience + "&scope=" + gcp::form_encode(gcp::kCloudPlatformScope) +
                                 "&requested_token_type=" + gcp::form_encode("urn:ietf:params:oauth:token-type:access_token") +
                                 "&subject_token_type=" + gcp::form_encode("urn:ietf:params:oauth:token-type:jwt");
    const auto federated = vertex::sts_token_exchange(exchange + "&subject_token=oidc-1", s, tokens, now);
    BOOST_TEST_REQUIRE(federated.status == 200, federated.body);
    const std::string sts(json::parse(federated.body).at("access_token").as_string());
    BOOST_TEST(error_of(vertex::sts_token_exchange(exchange + "&subject_token=oidc-2", s, tokens, now)) == "invalid_grant");
    BOOST_TEST(error_of(vertex::sts_token_exchange("grant_type=x", s, tokens, now)) == "unsupported_grant_type");
    std::string wrong_audience = exchange;
    wrong_audience.replace(wrong_audience.find(audience), audience.size(), "projects%2F1");
    BOOST_TEST(error_of(vertex::sts_token_exchange(wrong_audience + "&subject_token=oidc-1", s, tokens, now)) ==
               "invalid_request");

    const std::string body = R"({"scope":["https://www.googleapis.com/auth/cloud-platform"],"lifetime":"300s"})";
    const auto imp = vertex::generate_access_token("Bearer " + sts, "sa@p.iam.gserviceaccount.com", body, s, tokens, now);
    BOOST_TEST_REQUIRE(imp.status == 200, imp.body);
    BOOST_TEST(json::parse(imp.body).at("expireTime").as_string() == "2026-09-21T14:18:20Z");
    BOOST_TEST(vertex::generate_access_token("Bearer forged", "sa@p.iam.gserviceaccount.com", body, s, tokens, now).status == 401);
    BOOST_TEST(vertex::generate_access_token("Bearer " + sts, "someone@example.com", body, s, tokens, now).status == 403);
    BOOST_TEST(vertex::generate_access_token("Bearer " + sts, "sa@p.iam.gserviceaccount.com", "{}", s, tokens, now).status == 400);
}

BOOST_AUTO_TEST_CASE(claude_raw_predict_bodies) {
    anthropic::ApiError error;
    const auto ok = vertex::parse_raw_predict(
        R"({"anthropic_version":"vertex-2023-10-16","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Hi"}]})",
        "claude-sonnet-4-5@20250929", error);
    BOOST_TEST_REQUIRE(ok.has_value(), error.message);
    BOOST_TEST(ok->prompt.model == "claude-sonnet-4-5@20250929");
    BOOST_TEST(ok->stream);
    // The model is in the URL; a member Vertex does not take is refused by name.
    BOOST_TEST(!vertex::parse_raw_predict(
        R"({"anthropic_version":"vertex-2023-10-16","model":"claude","max_tokens":64,"messages":[{"role":"user","content":"Hi"}]})",
        "claude-sonnet-4-5@20250929", error));
    BOOST_TEST(error.message == "model: Extra inputs are not permitted");
    BOOST_TEST(!vertex::parse_raw_predict(R"({"max_tokens":64,"messages":[{"role":"user","content":"Hi"}]})", "claude-x", error));
    BOOST_TEST(error.message == "anthropic_version: Field required");
    BOOST_TEST(!vertex::parse_raw_predict(
        R"({"anthropic_version":"bedrock-2023-05-31","max_tokens":64,"messages":[{"role":"user","content":"Hi"}]})",
        "claude-x", error));
    BOOST_TEST(error.status == 400);
    BOOST_TEST(vertex::is_claude_model("claude-3-5-haiku@20241022"));
    BOOST_TEST(!vertex::is_claude_model("gemini-1.5-pro"));
}

BOOST_AUTO_TEST_CASE(openai_compatible_endpoint_paths_and_models) {
    const auto p = vertex::parse_openapi_path("/v1/projects/my-proj/locations/us-east5/endpoints/openapi/chat/completions");
    BOOST_TEST_REQUIRE(p.has_value());
    BOOST_TEST(p->version == "v1");
    BOOST_TEST(p->project == "my-proj");
    BOOST_TEST(p->location == "us-east5");
    BOOST_TEST(vertex::parse_openapi_path("/v1beta1/projects/p/locations/global/endpoints/openapi/chat/completions").has_value());
    BOOST_TEST(!vertex::parse_openapi_path("/v2/projects/p/locations/l/endpoints/openapi/chat/completions"));
    BOOST_TEST(!vertex::parse_openapi_path("/v1/projects/p/locations/l/endpoints/1234/chat/completions"));
    BOOST_TEST(!vertex::parse_openapi_path("/v1/projects/p/locations/l/endpoints/openapi/completions"));
    BOOST_TEST(!vertex::parse_openapi_path("/v1/chat/completions"));

    BOOST_TEST(!vertex::check_maas_model(*p, "meta/llama-3.3-70b-instruct-maas"));
    BOOST_TEST(!vertex::check_maas_model(*p, "meta/llama-4-maverick-17b-128e-instruct-maas"));
    const auto bare = vertex::check_maas_model(*p, "llama-3.3-70b-instruct-maas");
    BOOST_TEST_REQUIRE(bare.has_value());
    BOOST_TEST(bare->code == 400);
    BOOST_TEST(bare->status == "INVALID_ARGUMENT");
    const auto unknown = vertex::check_maas_model(*p, "meta/llama-9-instruct-maas");
    BOOST_TEST_REQUIRE(unknown.has_value());
    BOOST_TEST(unknown->code == 404);
    BOOST_TEST(unknown->message.find("projects/my-proj/locations/us-east5/publishers/meta/models/llama-9-instruct-maas") !=
               std::string::npos, unknown->message);
    // As the endpoint answers: one error object in an array.
    const json::value framed = json::parse(vertex::framed_error_body(*unknown, true));
    BOOST_TEST(framed.at(0).at("error").at("status") == "NOT_FOUND");
}
