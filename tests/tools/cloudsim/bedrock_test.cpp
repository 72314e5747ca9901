#define BOOST_TEST_MODULE cloudsim_bedrock
#include <boost/test/unit_test.hpp>

#include "plugins/aws_common/event_stream.hpp"
#include "plugins/aws_common/sigv4.hpp"
#include "tools/cloudsim/aws_credentials.hpp"
#include "tools/cloudsim/bedrock_api.hpp"
#include "tools/cloudsim/bedrock_auth.hpp"
#include "tools/cloudsim/bedrock_wire.hpp"
#include "tools/cloudsim/options.hpp"
#include "tools/cloudsim/provider_registry.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <openssl/evp.h>

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

// Boost.Test prints the enums by value.
namespace helix::cloudsim {
inline std::ostream &boost_test_print_type(std::ostream &out, FinishReason v) { return out << static_cast<int>(v); }
namespace bedrock {
inline std::ostream &boost_test_print_type(std::ostream &out, Operation v) { return out << operation_name(v); }
inline std::ostream &boost_test_print_type(std::ostream &out, ModelFamily v) { return out << static_cast<int>(v); }
inline std::ostream &boost_test_print_type(std::ostream &out, StreamFaultKind v) { return out << static_cast<int>(v); }
} // namespace bedrock
} // namespace helix::cloudsim

using namespace helix::cloudsim;
using namespace helix::cloudsim::bedrock;
namespace json = boost::json;
namespace aws = helix::aws;

namespace {

const std::string kClaude = "anthropic.claude-3-sonnet-20240229-v1:0";
const std::string kWeatherTools =
    R"("toolConfig":{"tools":[{"toolSpec":{"name":"get_weather","description":"Weather","inputSchema":{"json":{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"}}}}}}]})";

SimPrompt converse_ok(const std::string &body, const std::string &model = kClaude) {
    ApiError e;
    auto prompt = parse_converse_request(body, model, e);
    BOOST_TEST_REQUIRE(prompt.has_value(), e.message);
    return *prompt;
}

ApiError converse_error(const std::string &body) {
    ApiError e;
    auto prompt = parse_converse_request(body, kClaude, e);
    BOOST_TEST_REQUIRE(!prompt.has_value());
    return e;
}

std::string user(const std::string &text) { return R"({"role":"user","content":[{"text":")" + text + R"("}]})"; }

std::string all_frames(FrameSource &source, std::size_t *tokens = nullptr) {
    std::string out;
    Frame f;
    std::size_t n = 0;
    while (source.next(f)) {
        out += f.bytes;
        if (f.token) ++n;
    }
    if (tokens) *tokens = n;
    return out;
}

std::vector<aws::Message> decode_all(const std::string &bytes) {
    aws::EventStreamDecoder decoder;
    std::vector<aws::Message> out;
    BOOST_TEST_REQUIRE(decoder.feed(bytes, out), decoder.error().reason);
    BOOST_TEST_REQUIRE(decoder.finish());
    return out;
}

std::string unbase64(const std::string &text) {
    std::string out(text.size(), '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char *>(out.data()),
                                  reinterpret_cast<const unsigned char *>(text.data()), static_cast<int>(text.size()));
    BOOST_TEST_REQUIRE(n >= 0);
    std::size_t len = static_cast<std::size_t>(n);
    if (text.ends_with("==")) len -= 2;
    else if (text.ends_with("=")) len -= 1;
    out.resize(len);
    return out;
}

std::string event_type(const aws::Message &m) { return std::string(m.string_header(":event-type").value_or("")); }

// The native events of an InvokeModelWithResponseStream body.
std::vector<json::object> chunks_of(const std::string &bytes) {
    std::vector<json::object> out;
    for (const auto &m : decode_all(bytes)) {
        BOOST_TEST(event_type(m) == "chunk");
        const auto payload = json::parse(m.payload).as_object();
        BOOST_TEST(payload.contains("p"));
        out.push_back(json::parse(unbase64(std::string(payload.at("bytes").as_string()))).as_object());
    }
    return out;
}

} // namespace

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(paths_and_models)

BOOST_AUTO_TEST_CASE(model_path_is_percent_decoded) {
    auto p = parse_model_path("/model/anthropic.claude-3-sonnet-20240229-v1%3A0/converse");
    BOOST_TEST_REQUIRE(p.has_value());
    BOOST_TEST(p->model_id == kClaude);
    BOOST_TEST(static_cast<int>(p->operation) == static_cast<int>(Operation::converse));
    p = parse_model_path("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.meta.llama3-70b-instruct-v1%3A0/invoke-with-response-stream");
    BOOST_TEST_REQUIRE(p.has_value());
    BOOST_TEST(p->model_id == "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.meta.llama3-70b-instruct-v1:0");
    BOOST_TEST(static_cast<int>(p->operation) == static_cast<int>(Operation::invoke_stream));
    BOOST_TEST(parse_model_path("/model/x/converse-stream")->operation == Operation::converse_stream);
    BOOST_TEST(parse_model_path("/model/x/invoke")->operation == Operation::invoke);
    BOOST_TEST(!parse_model_path("/model/x/count-tokens").has_value());
    BOOST_TEST(!parse_model_path("/model//converse").has_value());
    BOOST_TEST(!parse_model_path("/model/a/b/converse").has_value());
    BOOST_TEST(!parse_model_path("/v1/chat/completions").has_value());
}

BOOST_AUTO_TEST_CASE(model_families) {
    BOOST_CHECK(model_family(kClaude) == ModelFamily::claude);
    BOOST_CHECK(model_family("anthropic.claude-3-opus-20240229-v1:0") == ModelFamily::claude);
    BOOST_CHECK(model_family("meta.llama3-70b-instruct-v1:0") == ModelFamily::llama);
    BOOST_CHECK(model_family("amazon.titan-text-express-v1") == ModelFamily::titan);
    BOOST_CHECK(model_family("us.anthropic.claude-3-haiku-20240307-v1:0") == ModelFamily::claude);
    BOOST_CHECK(model_family("arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-70b-instruct-v1:0") ==
               ModelFamily::llama);
    BOOST_CHECK(model_family("mistral.mistral-large-2402-v1:0") == ModelFamily::other);
    BOOST_CHECK(model_family("arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc") == ModelFamily::other);
    BOOST_TEST(!model_family("gpt-4o").has_value());
    BOOST_TEST(!model_family("acme.model-v1").has_value());
    BOOST_TEST(!model_family("").has_value());
    BOOST_TEST(!model_family("anthropic.claude v2").has_value());
    BOOST_TEST(anthropic_model_name(kClaude) == "claude-3-sonnet-20240229");
    BOOST_TEST(anthropic_model_name("us.anthropic.claude-3-haiku-20240307-v1:0") == "claude-3-haiku-20240307");
    BOOST_TEST(anthropic_model_name("anthropic.claude-v2") == "claude");
}

BOOST_AUTO_TEST_CASE(errors_have_aws_shape) {
    const ApiError throttled = fault_error(FaultKind::rate_limited);
    BOOST_TEST(throttled.status == 429);
    BOOST_TEST(throttled.type == "ThrottlingException");
    BOOST_TEST(error_type_header(throttled.type) ==
               "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/");
    BOOST_TEST(error_type_header("InvalidSignatureException") ==
               "InvalidSignatureException:http://internal.amazon.com/coral/com.amazon.coral.service/");
    const auto body = json::parse(error_body(throttled)).as_object();
    BOOST_TEST(body.size() == 1u);
    BOOST_TEST(body.at("message").as_string().starts_with("Too many requests"));
    BOOST_TEST(fault_error(FaultKind::server_error).type == "InternalServerException");
    BOOST_TEST(fault_error(FaultKind::server_error).status == 500);
    BOOST_TEST(fault_error(FaultKind::unavailable).type == "ServiceUnavailableException");
    BOOST_TEST(fault_error(FaultKind::overloaded).status == 503);
    const ApiError stream_error = exception_as_error("modelStreamErrorException");
    BOOST_TEST(stream_error.status == 424);
    const auto se = json::parse(error_body(stream_error)).as_object();
    BOOST_TEST(se.at("originalStatusCode").as_int64() == 500);
    ApiError keyed;
    keyed.message = "m";
    keyed.message_key = "Message";
    BOOST_TEST(error_body(keyed) == R"({"Message":"m"})");
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(converse)

BOOST_AUTO_TEST_CASE(parses_system_messages_and_counts_tokens) {
    const SimPrompt p = converse_ok(R"({"system":[{"text":"You are terse."}],"messages":[)" + user("Hello there, friend") +
                                    R"(,{"role":"assistant","content":[{"text":"Hi."}]},)" + user("How are you today?") +
                                    R"(],"inferenceConfig":{"maxTokens":50,"temperature":0.5,"topP":1}})");
    BOOST_TEST(p.model == kClaude);
    BOOST_TEST(p.prompt_tokens == 3u + 3u + 1u + 4u);
    BOOST_TEST(p.last_user_text == "How are you today?");
    BOOST_TEST(p.max_tokens.value() == 50u);
    BOOST_TEST(!p.ends_with_tool_result);
}

BOOST_AUTO_TEST_CASE(rejects_what_bedrock_rejects) {
    BOOST_TEST(converse_error("not json").type == "SerializationException");
    BOOST_TEST(converse_error(R"({"messages":[]})").message.starts_with("A conversation must start with a user message"));
    BOOST_TEST(converse_error(R"({"messages":[{"role":"assistant","content":[{"text":"x"}]}]})")
                   .message.starts_with("A conversation must start with a user message"));
    BOOST_TEST(converse_error(R"({"messages":[)" + user("a") + "," + user("b") + "]}")
                   .message.starts_with("A conversation must alternate between user and assistant roles"));
    BOOST_TEST(converse_error(R"({"messages":[{"role":"system","content":[{"text":"x"}]}]})")
                   .message.find("Member must satisfy enum value set: [user, assistant]") != std::string::npos);
    BOOST_TEST(converse_error(R"({"messages":[{"role":"user","content":[{"text":"  "}]}]})").message ==
               "The text field in the ContentBlock object at messages.0.content.0 is blank. Add text to the text "
               "field, and try again.");
    BOOST_TEST(converse_error(R"({"messages":[{"role":"user","content":[]}]})").message.starts_with(
        "The content field in the Message object at messages.0 is empty"));
    BOOST_TEST(converse_error(R"({"messages":[{"role":"user","content":[{"text":"a","image":{}}]}]})")
                   .message.find("exactly one") != std::string::npos);
    BOOST_TEST(converse_error(R"({"messages":[)" + user("a") + R"(],"inferenceConfig":{"maxTokens":0}})").message ==
               "1 validation error detected: Value '0' at 'inferenceConfig.maxTokens' failed to satisfy constraint: "
               "Member must have value greater than or equal to 1");
    BOOST_TEST(converse_error(R"({"messages":[)" + user("a") + R"(],"inferenceConfig":{"temperature":1.5}})").message ==
               "1 validation error detected: Value '1.5' at 'inferenceConfig.temperature' failed to satisfy "
               "constraint: Member must have value less than or equal to 1");
    const std::string tool_use_history =
        R"({"messages":[)" + user("a") +
        R"(,{"role":"assistant","content":[{"toolUse":{"toolUseId":"t1","name":"get_weather","input":{}}}]},)"
        R"({"role":"user","content":[{"toolResult":{"toolUseId":"t1","content":[{"text":"sunny"}]}}]}]})";
    BOOST_TEST(converse_error(tool_use_history).message ==
               "The toolConfig field must be defined when using toolUse and toolResult content blocks.");
    BOOST_TEST(converse_error(R"({"messages":[)" + user("a") + R"(],"toolConfig":{"tools":[]}})")
                   .message.find("toolConfig.tools") != std::string::npos);
    BOOST_TEST(converse_error(R"({"messages":[)" + user("a") + "]," + kWeatherTools.substr(0, kWeatherTools.size() - 1) +
                              R"(,"toolChoice":{"tool":{"name":"nope"}}}})")
                   .message.find("toolChoice") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(text_reply_body) {
    const SimPrompt p = converse_ok(R"({"messages":[)" + user("Hello there") + "]}");
    const Reply reply = generate_reply(p, 5);
    const auto body = json::parse(converse_body(reply, 12)).as_object();
    const auto &message = body.at("output").at("message").as_object();
    BOOST_TEST(message.at("role").as_string() == "assistant");
    BOOST_TEST(message.at("content").as_array().size() == 1u);
    BOOST_TEST(message.at("content").at(0).at("text").as_string() == reply.text());
    BOOST_TEST(body.at("stopReason").as_string() == "end_turn");
    BOOST_TEST(body.at("usage").at("inputTokens").as_int64() == 2);
    BOOST_TEST(body.at("usage").at("outputTokens").as_int64() == 5);
    BOOST_TEST(body.at("usage").at("totalTokens").as_int64() == 7);
    BOOST_TEST(body.at("metrics").at("latencyMs").as_int64() == 12);
}

BOOST_AUTO_TEST_CASE(tool_use_and_tool_result_round_trip) {
    const SimPrompt p = converse_ok(R"({"messages":[)" + user("Weather in Paris? call tool get_weather") + "]," +
                                    kWeatherTools + "}");
    const Reply reply = generate_reply(p, 20);
    BOOST_TEST_REQUIRE(reply.tool_call.has_value());
    const auto body = json::parse(converse_body(reply, 0)).as_object();
    BOOST_TEST(body.at("stopReason").as_string() == "tool_use");
    const auto &use = body.at("output").at("message").at("content").at(0).at("toolUse").as_object();
    BOOST_TEST(use.at("toolUseId").as_string().starts_with("tooluse_"));
    BOOST_TEST(use.at("name").as_string() == "get_weather");
    BOOST_TEST(json::serialize(use.at("input")) == R"({"city":"sim-city","days":42})");

    const SimPrompt follow = converse_ok(
        R"({"messages":[)" + user("Weather in Paris? call tool get_weather") +
        R"(,{"role":"assistant","content":[{"toolUse":{"toolUseId":"t1","name":"get_weather","input":{"city":"Paris"}}}]},)"
        R"({"role":"user","content":[{"toolResult":{"toolUseId":"t1","content":[{"text":"18 degrees"},{"json":{"sky":"clear"}}]}}]}],)" +
        kWeatherTools + "}");
    BOOST_TEST(follow.ends_with_tool_result);
    BOOST_TEST(generate_reply(follow, 20).text() == "Tool result: 18 degrees\n{\"sky\":\"clear\"}");
    // user 6 + tool name 1 + input 1 + results 2 + 1
    BOOST_TEST(follow.prompt_tokens == 11u);

    const SimPrompt forced = converse_ok(R"({"messages":[)" + user("anything") + "]," +
                                         kWeatherTools.substr(0, kWeatherTools.size() - 1) +
                                         R"(,"toolChoice":{"any":{}}}})");
    BOOST_TEST(generate_reply(forced, 20).tool_call.has_value());
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(event_stream)

BOOST_AUTO_TEST_CASE(converse_stream_text_frames) {
    const SimPrompt p = converse_ok(R"({"messages":[)" + user("Hello there") + "]}");
    const Reply reply = generate_reply(p, 6);
    EventFrames frames(converse_stream_events(reply), Framing::converse, {}, [] { return std::int64_t{77}; });
    BOOST_TEST(frames.token_frames() == 6u);
    std::size_t tokens = 0;
    const auto messages = decode_all(all_frames(frames, &tokens));
    BOOST_TEST(tokens == 6u);
    std::vector<std::string> types;
    std::string text;
    for (const auto &m : messages) {
        BOOST_TEST(m.string_header(":message-type").value_or("") == "event");
        BOOST_TEST(m.string_header(":content-type").value_or("") == "application/json");
        types.push_back(event_type(m));
        const auto payload = json::parse(m.payload).as_object();
        BOOST_TEST(payload.at("p").as_string().size() >= 1u); // Bedrock's padding
        if (types.back() == "contentBlockDelta") {
            BOOST_TEST(payload.at("contentBlockIndex").as_int64() == 0);
            text += payload.at("delta").at("text").as_string();
        }
        if (types.back() == "messageStop") BOOST_TEST(payload.at("stopReason").as_string() == "end_turn");
        if (types.back() == "metadata") {
            BOOST_TEST(payload.at("usage").at("inputTokens").as_int64() == 2);
            BOOST_TEST(payload.at("usage").at("outputTokens").as_int64() == 6);
            BOOST_TEST(payload.at("usage").at("totalTokens").as_int64() == 8);
            BOOST_TEST(payload.at("metrics").at("latencyMs").as_int64() == 77);
        }
    }
    const std::vector<std::string> expected{"messageStart",      "contentBlockDelta", "contentBlockDelta",
                                            "contentBlockDelta", "contentBlockDelta", "contentBlockDelta",
                                            "contentBlockDelta", "contentBlockStop",  "messageStop", "metadata"};
    BOOST_TEST(types == expected, boost::test_tools::per_element());
    BOOST_TEST(text == reply.text());
}

BOOST_AUTO_TEST_CASE(converse_stream_tool_use_frames) {
    const SimPrompt p = converse_ok(R"({"messages":[)" + user("call tool get_weather") + "]," + kWeatherTools + "}");
    const Reply reply = generate_reply(p, 20);
    EventFrames frames(converse_stream_events(reply), Framing::converse, {});
    const auto messages = decode_all(all_frames(frames));
    BOOST_TEST_REQUIRE(messages.size() >= 6u);
    BOOST_TEST(event_type(messages[1]) == "contentBlockStart");
    const auto start = json::parse(messages[1].payload).as_object();
    BOOST_TEST(start.at("start").at("toolUse").at("name").as_string() == "get_weather");
    BOOST_TEST(start.at("start").at("toolUse").at("toolUseId").as_string() == tool_use_id(*reply.tool_call));
    std::string input;
    for (const auto &m : messages) {
        if (event_type(m) == "contentBlockDelta")
            input += json::parse(m.payload).at("delta").at("toolUse").at("input").as_string();
    }
    BOOST_TEST(input == reply.tool_call->arguments);
    BOOST_TEST(json::parse(messages[messages.size() - 2].payload).at("stopReason").as_string() == "tool_use");
}

BOOST_AUTO_TEST_CASE(exception_frame_ends_the_stream_after_two_tokens) {
    std::string error;
    const auto fault = parse_stream_fault("exception-frame", Operation::converse_stream, error);
    BOOST_TEST_REQUIRE(fault.has_value());
    const Reply reply = generate_reply(converse_ok(R"({"messages":[)" + user("Hello") + "]}"), 10);
    EventFrames frames(converse_stream_events(reply), Framing::converse, *fault);
    const auto messages = decode_all(all_frames(frames));
    BOOST_TEST_REQUIRE(messages.size() == 4u); // messageStart, 2 deltas, the exception
    const auto &last = messages.back();
    BOOST_TEST(last.string_header(":message-type").value_or("") == "exception");
    BOOST_TEST(last.string_header(":exception-type").value_or("") == "throttlingException");
    BOOST_TEST(last.string_header(":content-type").value_or("") == "application/json");
    BOOST_TEST(json::parse(last.payload).at("message").as_string().starts_with("Too many requests"));

    const auto model_error = parse_stream_fault("exception-frame:ModelStreamErrorException", Operation::converse_stream, error);
    BOOST_TEST_REQUIRE(model_error.has_value());
    BOOST_TEST(model_error->exception_type == "modelStreamErrorException");
    EventFrames frames2(converse_stream_events(reply), Framing::converse, *model_error);
    const auto last2 = decode_all(all_frames(frames2)).back();
    BOOST_TEST(json::parse(last2.payload).at("originalStatusCode").as_int64() == 500);
}

BOOST_AUTO_TEST_CASE(bad_crc_corrupts_the_frame_after_two_tokens) {
    std::string error;
    const auto fault = parse_stream_fault("bad-crc", Operation::converse_stream, error);
    BOOST_TEST_REQUIRE(fault.has_value());
    const Reply reply = generate_reply(converse_ok(R"({"messages":[)" + user("Hello") + "]}"), 10);
    EventFrames frames(converse_stream_events(reply), Framing::converse, *fault);
    std::vector<std::string> raw;
    Frame f;
    while (frames.next(f)) raw.push_back(f.bytes);
    BOOST_TEST(raw.size() == 14u); // nothing dropped: the stream goes on
    for (std::size_t i = 0; i < raw.size(); ++i) {
        aws::Message m;
        aws::DecodeFailure failure;
        const bool ok = aws::decode_message(raw[i], m, &failure) != 0;
        BOOST_TEST(ok == (i != 3), "frame " << i);
        if (i == 3) BOOST_TEST(static_cast<int>(failure.kind) == static_cast<int>(aws::DecodeError::message_checksum_mismatch));
    }
}

BOOST_AUTO_TEST_CASE(malformed_frame_fault_sends_a_frame_whose_headers_length_overruns_it_with_right_crcs) {
    std::string error;
    const auto fault = parse_stream_fault("malformed-frame", Operation::converse_stream, error);
    BOOST_TEST_REQUIRE(fault.has_value());
    BOOST_TEST(fault->kind == StreamFaultKind::malformed_frame);
    const Reply reply = generate_reply(converse_ok(R"({"messages":[)" + user("Hello") + "]}"), 10);
    EventFrames frames(converse_stream_events(reply), Framing::converse, *fault);
    std::vector<std::string> raw;
    Frame f;
    while (frames.next(f)) raw.push_back(f.bytes);
    BOOST_TEST(raw.size() == 14u);
    for (std::size_t i = 0; i < raw.size(); ++i) {
        aws::Message m;
        aws::DecodeFailure failure;
        const bool ok = aws::decode_message(raw[i], m, &failure) != 0;
        BOOST_TEST(ok == (i != 3), "frame " << i);
        if (i == 3) BOOST_TEST(static_cast<int>(failure.kind) == static_cast<int>(aws::DecodeError::headers_length_invalid));
    }
}

BOOST_AUTO_TEST_CASE(stream_fault_names) {
    std::string error;
    BOOST_TEST(!parse_stream_fault("429", Operation::converse_stream, error).has_value());
    BOOST_TEST(!parse_stream_fault("exception-framex", Operation::converse_stream, error).has_value());
    BOOST_TEST(parse_stream_fault(" BAD-CRC ", Operation::converse, error)->kind == StreamFaultKind::bad_crc);
    auto f = parse_stream_fault("exception-frame:modelTimeoutException", Operation::converse_stream, error);
    BOOST_TEST_REQUIRE(f.has_value());
    BOOST_TEST(f->kind == StreamFaultKind::none);
    BOOST_TEST(error.find("unknown exception type") != std::string::npos);
    error.clear();
    f = parse_stream_fault("exception-frame:modelTimeoutException", Operation::invoke_stream, error);
    BOOST_TEST(f->kind == StreamFaultKind::exception_frame);
    BOOST_TEST(error.empty());
    for (const char *name : {"throttlingException", "modelStreamErrorException", "serviceUnavailableException",
                             "internalServerException", "validationException"}) {
        f = parse_stream_fault(std::string("exception-frame:") + name, Operation::converse_stream, error);
        BOOST_TEST(f->exception_type == name);
    }
    BOOST_TEST(exception_as_error("validationException").status == 400);
    BOOST_TEST(exception_as_error("serviceUnavailableException").type == "ServiceUnavailableException");
}

BOOST_AUTO_TEST_CASE(malformed_frame_has_right_crcs_and_bad_json) {
    for (const Framing framing : {Framing::converse, Framing::chunk}) {
        const auto messages = decode_all(malformed_frame(framing));
        BOOST_TEST_REQUIRE(messages.size() == 1u);
        boost::system::error_code ec;
        (void)json::parse(messages[0].payload, ec);
        BOOST_TEST(ec.failed());
    }
}

BOOST_AUTO_TEST_CASE(padding_and_base64) {
    BOOST_TEST(padding(0) == "a");
    BOOST_TEST(padding(1).size() == 8u);
    BOOST_TEST(base64("") == "");
    BOOST_TEST(base64("f") == "Zg==");
    BOOST_TEST(base64("foobar") == "Zm9vYmFy");
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(invoke)

BOOST_AUTO_TEST_CASE(claude_native_body_and_chunks) {
    ApiError e;
    const auto req = parse_invoke_request(
        R"({"anthropic_version":"bedrock-2023-05-31","max_tokens":100,"system":"Be brief.","messages":[{"role":"user","content":"Hello there"}]})",
        kClaude, ModelFamily::claude, e);
    BOOST_TEST_REQUIRE(req.has_value(), e.message);
    BOOST_TEST(req->prompt.prompt_tokens == 4u);
    const Reply reply = generate_reply(req->prompt, 5);
    const auto body = json::parse(invoke_body(*req, reply, "msg_bdrk_01x")).as_object();
    BOOST_TEST(body.at("id").as_string() == "msg_bdrk_01x");
    BOOST_TEST(body.at("type").as_string() == "message");
    BOOST_TEST(body.at("model").as_string() == "claude-3-sonnet-20240229");
    BOOST_TEST(body.at("content").at(0).at("text").as_string() == reply.text());
    BOOST_TEST(body.at("stop_reason").as_string() == "end_turn");
    BOOST_TEST(body.at("usage").at("input_tokens").as_int64() == 4);
    BOOST_TEST(body.at("usage").at("output_tokens").as_int64() == 5);
    BOOST_TEST(!body.at("usage").as_object().contains("service_tier"));

    EventFrames frames(invoke_stream_events(*req, reply, "msg_bdrk_01x"), Framing::chunk, {}, [] { return std::int64_t{5}; });
    BOOST_TEST(frames.token_frames() == 5u);
    const auto chunks = chunks_of(all_frames(frames));
    std::vector<std::string> types;
    std::string text;
    for (const auto &c : chunks) {
        types.emplace_back(c.at("type").as_string());
        if (types.back() == "content_block_delta") text += c.at("delta").at("text").as_string();
    }
    BOOST_TEST(types.front() == "message_start");
    BOOST_TEST(types.back() == "message_stop");
    BOOST_TEST(std::count(types.begin(), types.end(), "ping") == 0);
    BOOST_TEST(text == reply.text());
    const auto &metrics = chunks.back().at("amazon-bedrock-invocationMetrics").as_object();
    BOOST_TEST(metrics.at("inputTokenCount").as_int64() == 4);
    BOOST_TEST(metrics.at("outputTokenCount").as_int64() == 5);
    BOOST_TEST(metrics.at("invocationLatency").as_int64() == 5);
}

BOOST_AUTO_TEST_CASE(claude_native_validation) {
    ApiError e;
    BOOST_TEST(!parse_invoke_request(R"({"max_tokens":10,"messages":[{"role":"user","content":"x"}]})", kClaude,
                                     ModelFamily::claude, e));
    BOOST_TEST(e.message == "Malformed input request: #: required key [anthropic_version] not found, please reformat "
                            "your input and try again.");
    BOOST_TEST(!parse_invoke_request(
        R"({"anthropic_version":"bedrock-2023-05-31","model":"x","max_tokens":10,"messages":[{"role":"user","content":"x"}]})",
        kClaude, ModelFamily::claude, e));
    BOOST_TEST(e.message.find("extraneous key [model] is not permitted") != std::string::npos);
    BOOST_TEST(!parse_invoke_request(R"({"anthropic_version":"bedrock-2023-05-31","messages":[{"role":"user","content":"x"}]})",
                                     kClaude, ModelFamily::claude, e));
    BOOST_TEST(e.message.find("max_tokens") != std::string::npos);
    BOOST_TEST(e.type == "ValidationException");
    BOOST_TEST(!parse_invoke_request(R"({"prompt":"x"})", "mistral.mistral-large-2402-v1:0", ModelFamily::other, e));
}

BOOST_AUTO_TEST_CASE(llama_native_body_and_chunks) {
    ApiError e;
    const std::string prompt =
        R"(<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHello llama friend<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n)";
    const auto req = parse_invoke_request(R"({"prompt":")" + prompt + R"(","max_gen_len":4,"temperature":0.2})",
                                          "meta.llama3-70b-instruct-v1:0", ModelFamily::llama, e);
    BOOST_TEST_REQUIRE(req.has_value(), e.message);
    BOOST_TEST(req->prompt.last_user_text.find("Hello llama friend") != std::string::npos);
    // Words once the <|...|> tokens are spaces: "system \n\nBe brief." ... counted by the token rule.
    BOOST_TEST(req->prompt.prompt_tokens == 8u);
    const Reply reply = generate_reply(req->prompt, 20);
    BOOST_TEST(reply.finish == FinishReason::length);
    const auto body = json::parse(invoke_body(*req, reply, "")).as_object();
    BOOST_TEST(body.at("generation").as_string() == reply.text());
    BOOST_TEST(body.at("generation").as_string().starts_with("You said: Hello"));
    BOOST_TEST(body.at("prompt_token_count").as_int64() == 8);
    BOOST_TEST(body.at("generation_token_count").as_int64() == 4);
    BOOST_TEST(body.at("stop_reason").as_string() == "length");

    EventFrames frames(invoke_stream_events(*req, reply, ""), Framing::chunk, {});
    const auto chunks = chunks_of(all_frames(frames));
    BOOST_TEST_REQUIRE(chunks.size() == 5u);
    BOOST_TEST(chunks[0].at("prompt_token_count").as_int64() == 8);
    BOOST_TEST(chunks[1].at("prompt_token_count").is_null());
    BOOST_TEST(chunks[3].at("generation_token_count").as_int64() == 4);
    BOOST_TEST(chunks[3].at("stop_reason").is_null());
    BOOST_TEST(chunks[4].at("stop_reason").as_string() == "length");
    BOOST_TEST(chunks[4].contains("amazon-bedrock-invocationMetrics"));

    BOOST_TEST(!parse_invoke_request(R"({"prompt":"x","max_gen_len":0})", "meta.llama3-70b-instruct-v1:0",
                                     ModelFamily::llama, e));
    BOOST_TEST(!parse_invoke_request(R"({"inputText":"x"})", "meta.llama3-70b-instruct-v1:0", ModelFamily::llama, e));
    BOOST_TEST(e.message.find("extraneous key [inputText]") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(titan_native_body_and_chunks) {
    ApiError e;
    const auto req = parse_invoke_request(
        R"({"inputText":"User: Hello titan\nBot:","textGenerationConfig":{"maxTokenCount":50,"temperature":0}})",
        "amazon.titan-text-express-v1", ModelFamily::titan, e);
    BOOST_TEST_REQUIRE(req.has_value(), e.message);
    BOOST_TEST(req->prompt.prompt_tokens == 4u);
    const Reply reply = generate_reply(req->prompt, 3);
    const auto body = json::parse(invoke_body(*req, reply, "")).as_object();
    BOOST_TEST(body.at("inputTextTokenCount").as_int64() == 4);
    const auto &result = body.at("results").at(0).as_object();
    BOOST_TEST(result.at("outputText").as_string() == reply.text());
    BOOST_TEST(result.at("tokenCount").as_int64() == 3);
    BOOST_TEST(result.at("completionReason").as_string() == "FINISH");

    EventFrames frames(invoke_stream_events(*req, reply, ""), Framing::chunk, {});
    const auto chunks = chunks_of(all_frames(frames));
    BOOST_TEST_REQUIRE(chunks.size() == 4u);
    BOOST_TEST(chunks[0].at("inputTextTokenCount").as_int64() == 4);
    BOOST_TEST(chunks[0].at("outputText").as_string() == reply.pieces[0]);
    BOOST_TEST(chunks[3].at("completionReason").as_string() == "FINISH");
    BOOST_TEST(chunks[3].at("totalOutputTextTokenCount").as_int64() == 3);
    BOOST_TEST(!parse_invoke_request(R"({"inputText":"x","textGenerationConfig":{"topK":3}})",
                                     "amazon.titan-text-express-v1", ModelFamily::titan, e));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(auth)

namespace {

const std::string kAkid(kBedrockDefaultAccessKeyId);
const std::string kSecret(kBedrockDefaultSecretAccessKey);
const std::string kPath = "/model/anthropic.claude-3-sonnet-20240229-v1%3A0/converse";
const std::string kBody = R"({"messages":[{"role":"user","content":[{"text":"hi"}]}]})";
const auto kNow = std::chrono::sys_seconds{std::chrono::seconds{1'790'000'000}};

AuthConfig config() { return AuthConfig{kAkid, kSecret, "us-east-1", std::string(kBedrockDefaultKey)}; }

// Headers of a request signed like the JS SDK signs it.
std::vector<aws::HttpHeader> signed_headers(const aws::Credentials &credentials, std::chrono::sys_seconds when,
                                            const std::string &host = "127.0.0.1:4566",
                                            const std::string &region = "us-east-1") {
    std::vector<aws::HttpHeader> headers{{"content-type", "application/json"},
                                         {"host", host},
                                         {"content-length", std::to_string(kBody.size())},
                                         {"user-agent", "test"}};
    aws::SigningOptions o;
    o.region = region;
    o.service = "bedrock";
    o.time = when;
    o.add_content_sha256 = true;
    const auto r = aws::sign({"POST", kPath, "", host, headers, kBody, ""}, credentials, o);
    BOOST_TEST_REQUIRE(r.ok(), r.error);
    aws::apply_signature(headers, r);
    return headers;
}

std::optional<AuthFailure> check(const std::vector<aws::HttpHeader> &headers,
                                 const aws_credentials::CredentialStore &store, const AuthConfig &cfg = config(),
                                 std::chrono::sys_seconds now = kNow) {
    return authenticate({"POST", kPath, "", headers, kBody}, cfg, store, now);
}

} // namespace

BOOST_AUTO_TEST_CASE(long_term_key_pair) {
    aws_credentials::CredentialStore store(3600);
    BOOST_TEST(!check(signed_headers({kAkid, kSecret, ""}, kNow), store).has_value());
    // Skew: within 5 minutes either way passes, beyond fails.
    BOOST_TEST(!check(signed_headers({kAkid, kSecret, ""}, kNow - std::chrono::seconds(299)), store).has_value());
    auto f = check(signed_headers({kAkid, kSecret, ""}, kNow - std::chrono::seconds(301)), store);
    BOOST_TEST_REQUIRE(f.has_value());
    BOOST_TEST(f->status == 403);
    BOOST_TEST(f->error_type == "InvalidSignatureException");
    BOOST_TEST(f->message.starts_with("Signature expired"));
    f = check(signed_headers({kAkid, kSecret, ""}, kNow + std::chrono::seconds(301)), store);
    BOOST_TEST(f->message.starts_with("Signature not yet current"));

    f = check(signed_headers({kAkid, "wrong-secret", ""}, kNow), store);
    BOOST_TEST_REQUIRE(f.has_value());
    BOOST_TEST(f->status == 403);
    BOOST_TEST(f->error_type == "InvalidSignatureException");
    BOOST_TEST(f->message.starts_with("The request signature we calculated does not match"));

    f = check(signed_headers({"AKIDUNKNOWN", kSecret, ""}, kNow), store);
    BOOST_TEST(f->error_type == "UnrecognizedClientException");
    BOOST_TEST(f->message == "The security token included in the request is invalid.");

    f = check({{"host", "127.0.0.1:4566"}}, store);
    BOOST_TEST(f->error_type == "MissingAuthenticationTokenException");
    BOOST_TEST(f->status == 403);
}

BOOST_AUTO_TEST_CASE(region_from_host_or_configuration) {
    aws_credentials::CredentialStore store(3600);
    auto f = check(signed_headers({kAkid, kSecret, ""}, kNow, "127.0.0.1:4566", "us-west-2"), store);
    BOOST_TEST_REQUIRE(f.has_value());
    BOOST_TEST(f->error_type == "InvalidSignatureException");
    BOOST_TEST(f->message.find("us-west-2") != std::string::npos);
    // The endpoint's region wins over the configured one.
    BOOST_TEST(!check(signed_headers({kAkid, kSecret, ""}, kNow, "bedrock-runtime.us-west-2.amazonaws.com", "us-west-2"),
                      store)
                    .has_value());
    AuthConfig any = config();
    any.region = "*";
    BOOST_TEST(!check(signed_headers({kAkid, kSecret, ""}, kNow, "127.0.0.1:4566", "eu-west-1"), store, any).has_value());
    BOOST_TEST(expected_region("bedrock-runtime-fips.us-gov-west-1.amazonaws.com", "x") == "us-gov-west-1");
    BOOST_TEST(expected_region("bedrock-runtime.eu-central-1.api.aws:443", "x") == "eu-central-1");
    BOOST_TEST(expected_region("localhost:8080", "us-east-1") == "us-east-1");
}

BOOST_AUTO_TEST_CASE(temporary_credentials_need_their_signed_token) {
    aws_credentials::CredentialStore store(60);
    const auto issued = store.issue("sts", "arn:aws:iam::123456789012:role/r", kNow.time_since_epoch().count());
    const aws::Credentials temp{issued.access_key_id, issued.secret_access_key, issued.session_token};
    BOOST_TEST(!check(signed_headers(temp, kNow), store).has_value());
    // Without the token.
    auto f = check(signed_headers({issued.access_key_id, issued.secret_access_key, ""}, kNow), store);
    BOOST_TEST(f->error_type == "UnrecognizedClientException");
    // Another token.
    f = check(signed_headers({issued.access_key_id, issued.secret_access_key, "other"}, kNow), store);
    BOOST_TEST(f->error_type == "UnrecognizedClientException");
    // Expired.
    const auto later = kNow + std::chrono::seconds(61);
    f = check(signed_headers(temp, later), store, config(), later);
    BOOST_TEST_REQUIRE(f.has_value());
    BOOST_TEST(f->error_type == "ExpiredTokenException");
    BOOST_TEST(f->status == 403);
    // The long-term key must not carry a token.
    f = check(signed_headers({kAkid, kSecret, "tok"}, kNow), store);
    BOOST_TEST(f->error_type == "UnrecognizedClientException");
}

BOOST_AUTO_TEST_CASE(bedrock_api_keys) {
    aws_credentials::CredentialStore store(3600);
    const std::vector<aws::HttpHeader> ok{{"host", "h"}, {"authorization", "Bearer " + std::string(kBedrockDefaultKey)}};
    BOOST_TEST(!check(ok, store).has_value());
    auto f = check({{"host", "h"}, {"Authorization", "Bearer ABSKwrong"}}, store);
    BOOST_TEST_REQUIRE(f.has_value());
    BOOST_TEST(f->error_type == "AccessDeniedException");
    BOOST_TEST(f->message_key == "Message");
    BOOST_TEST(f->message == "Authentication failed: Please make sure your API Key is valid.");
    f = check({{"host", "h"}, {"Authorization", "Bearer nope"}}, store);
    BOOST_TEST(f->message == "Invalid API Key format: Must start with pre-defined prefix");
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(options)

BOOST_AUTO_TEST_CASE(aws_option_names) {
    const auto opts = parse_options({"--aws-access-key-id", "AKIDX", "--aws-secret-access-key=sec", "--aws-region",
                                     "eu-west-1", "--bedrock-credentials-ttl-s", "60", "--bedrock-port", "0",
                                     "--bedrock-web-identity-token", "jwt"},
                                    provider_modules());
    const ProviderLaunch *bedrock = nullptr;
    for (const auto &p : opts.providers) {
        if (p.module->name == "bedrock") bedrock = &p;
    }
    BOOST_TEST_REQUIRE(bedrock != nullptr);
    BOOST_TEST(bedrock->options.key == std::string(kBedrockDefaultKey));
    BOOST_TEST(bedrock->options.settings.at("access-key-id") == "AKIDX");
    BOOST_TEST(bedrock->options.settings.at("secret-access-key") == "sec");
    BOOST_TEST(bedrock->options.settings.at("region") == "eu-west-1");
    BOOST_TEST(bedrock->options.settings.at("credentials-ttl-s") == "60");
    BOOST_TEST(bedrock->options.settings.at("web-identity-token") == "jwt");
    BOOST_TEST(bedrock->options.settings.at("container-token") == "sim-container-token");

    const auto defaults = parse_options({"--providers", "bedrock"}, provider_modules());
    BOOST_TEST_REQUIRE(defaults.providers.size() == 1u);
    BOOST_TEST(defaults.providers[0].options.settings.at("access-key-id") == "AKIDSIMEXAMPLE");
    BOOST_TEST(defaults.providers[0].options.settings.at("credentials-ttl-s") == "3600");

    BOOST_CHECK_THROW(parse_options({"--aws-credentials-ttl-s", "0"}, provider_modules()), UsageError);
    BOOST_CHECK_THROW(parse_options({"--aws-region", ""}, provider_modules()), UsageError);
    BOOST_CHECK_THROW(parse_options({"--aws-port", "1"}, provider_modules()), UsageError);
    const std::string help = usage_text(provider_modules());
    BOOST_TEST(help.find("--bedrock-access-key-id V") != std::string::npos);
    BOOST_TEST(help.find("--aws-<setting>") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

// Image and document blocks are checked as Bedrock does (a format of its
// list, a document name of the allowed characters, base64 bytes or an S3
// object), and what arrived is kept for /__sim/stats.
BOOST_AUTO_TEST_CASE(media_blocks_are_checked_and_recorded) {
    const std::string doc = [](const std::string &document) {
        return R"({"messages":[{"role":"user","content":[{"text":"read"},{"document":)" + document + "}]}]}";
    }(R"j({"format":"pdf","name":"Q3 report-v2 (final)","source":{"bytes":"JVBERi0xLjQK"}})j");
    const SimPrompt prompt = converse_ok(doc);
    BOOST_TEST_REQUIRE(prompt.media.size() == 1u);
    BOOST_TEST(prompt.media[0].at("kind") == "document");
    BOOST_TEST(prompt.media[0].at("type") == "pdf");
    BOOST_TEST(prompt.media[0].at("name") == "Q3 report-v2 (final)");
    BOOST_TEST(prompt.media[0].at("size") == 9);
    const auto bad = [](const std::string &block) {
        return converse_error(R"({"messages":[{"role":"user","content":[{"text":"read"},)" + block + "]}]}").message;
    };
    BOOST_TEST(bad(R"({"document":{"format":"pdf","name":"report.pdf","source":{"bytes":"JVBE"}}})")
                   .starts_with("The document file name can only contain"));
    BOOST_TEST(bad(R"({"document":{"format":"pdf","name":"two  spaces","source":{"bytes":"JVBE"}}})")
                   .starts_with("The document file name can only contain"));
    BOOST_TEST(bad(R"({"document":{"format":"zip","name":"a","source":{"bytes":"JVBE"}}})").find("format") !=
               std::string::npos);
    BOOST_TEST(bad(R"({"document":{"format":"pdf","name":"a","source":{"bytes":"%%%"}}})").find("base64") !=
               std::string::npos);
    BOOST_TEST(bad(R"({"image":{"format":"bmp","source":{"bytes":"Qk0="}}})").find("png, jpeg, gif, webp") !=
               std::string::npos);
    BOOST_TEST(bad(R"({"image":{"format":"png","source":{"url":"https://x/y.png"}}})").find("s3") != std::string::npos);
    const SimPrompt s3 = converse_ok(
        R"({"messages":[{"role":"user","content":[{"text":"r"},{"document":{"format":"md","name":"n","source":{"s3Location":{"uri":"s3://b/k.md"}}}}]}]})");
    BOOST_TEST_REQUIRE(s3.media.size() == 1u);
    BOOST_TEST(s3.media[0].at("uri") == "s3://b/k.md");
}
