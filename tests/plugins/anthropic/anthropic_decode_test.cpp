#define BOOST_TEST_MODULE plugins_anthropic_decode
#include <boost/test/unit_test.hpp>

#include "../chunking_check.hpp"

#include "daemon/api/sse_frame.hpp"

using namespace helix::test;

namespace {

const std::string kKey = "sk-ant-test-0123456789";
const std::string kConfig = R"({"api_key":")" + kKey + R"("})";

Request request(bool stream) {
    Request r;
    r.model = "claude-3-5-sonnet-20241022";
    r.messages = {Message::user("Hi")};
    r.stream = stream;
    return r;
}

std::string ev(const std::string &type, const std::string &data) { return helix::api::sse_event(type, data); }

// A recorded-shape stream (docs/providers.md, anthropic): text, then a tool call, pings in between.
const std::string kToolStream =
    ev("message_start", R"({"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","content":[],"model":"claude-3-5-sonnet-20241022","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":2,"cache_read_input_tokens":100,"cache_creation_input_tokens":0}}})") +
    ev("content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})") +
    ev("ping", R"({"type": "ping"})") +
    ev("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay, let's check"}})") +
    ev("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" the weather. \u00e9\u20ac"}})") +
    ev("content_block_stop", R"({"type":"content_block_stop","index":0})") +
    ev("content_block_start", R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}})") +
    ev("content_block_delta", R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}})") +
    ev("content_block_delta", R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"location\":"}})") +
    ev("content_block_delta", R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" \"San Francisco, CA\"}"}})") +
    ev("content_block_stop", R"({"type":"content_block_stop","index":1})") +
    ev("content_block_start", R"({"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_02","name":"get_time","input":{}}})") +
    ev("content_block_stop", R"({"type":"content_block_stop","index":2})") +
    ev("message_delta", R"({"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}})") +
    ev("message_stop", R"({"type":"message_stop"})");

const std::string kToolEvents = "START id=msg_01XFDUDYJgAACzvnptvVoYEL model=claude-3-5-sonnet-20241022\n"
                                "TEXT c=0 Okay, let's check\n"
                                "TEXT c=0  the weather. \xC3\xA9\xE2\x82\xAC\n"
                                "TOOL c=0 i=0 id=toolu_01T1x1fJ34qAmk2tNTrN7Up6 name=get_weather args=\n"
                                "TOOL c=0 i=0 id= name= args={\"location\":\n"
                                "TOOL c=0 i=0 id= name= args= \"San Francisco, CA\"}\n"
                                "TOOL c=0 i=1 id=toolu_02 name=get_time args=\n"
                                "TOOL c=0 i=1 id= name= args={}\n"
                                "FINISH c=0 tool_calls\n"
                                "USAGE 572/89/100\n";

} // namespace

BOOST_AUTO_TEST_CASE(non_streamed_message_with_text_and_tool_use) {
    Harness h(kConfig);
    Request r = request(false);
    const std::string body = R"({"id":"msg_01","type":"message","role":"assistant","model":"claude-3-5-sonnet-20241022",
      "content":[{"type":"text","text":"Hi"},{"type":"thinking","thinking":"hidden","signature":"s"},
                 {"type":"tool_use","id":"toolu_01","name":"get_weather","input":{"city":"Paris","days":[1,2]}},
                 {"type":"tool_use","id":"toolu_02","name":"get_time","input":{}}],
      "stop_reason":"tool_use","stop_sequence":null,
      "usage":{"input_tokens":25,"output_tokens":40,"cache_creation_input_tokens":5,"cache_read_input_tokens":10,"service_tier":"standard"}})";
    expect_events(h, r, 200, json_headers(), body,
                  "START id=msg_01 model=claude-3-5-sonnet-20241022\n"
                  "TEXT c=0 Hi\n"
                  "REASON c=0 i=0 text=hidden sig=s data= fmt=anthropic-claude-v1\n"
                  "TOOL c=0 i=0 id=toolu_01 name=get_weather args={\"city\":\"Paris\",\"days\":[1,2]}\n"
                  "TOOL c=0 i=1 id=toolu_02 name=get_time args={}\n"
                  "FINISH c=0 tool_calls\n"
                  "USAGE 40/40/10\n");
}

BOOST_AUTO_TEST_CASE(stop_reasons_map_to_finish_reasons) {
    Harness h(kConfig);
    Request r = request(false);
    const std::vector<std::pair<std::string, std::string>> cases{
        {"end_turn", "stop"},         {"stop_sequence", "stop"}, {"max_tokens", "length"},
        {"tool_use", "tool_calls"},   {"refusal", "content_filter"}, {"pause_turn", "stop"},
        {"model_context_window_exceeded", "length"}};
    for (const auto &[reason, finish] : cases) {
        const Outcome o = h.run(r, 200, json_headers(),
                                R"({"id":"m","model":"c","content":[{"type":"text","text":"x"}],"stop_reason":")" + reason +
                                    R"(","usage":{"input_tokens":1,"output_tokens":2}})");
        BOOST_TEST(o.status == HELIX_OK);
        BOOST_TEST(contains(o.events, "FINISH c=0 " + finish + "\n"), reason << " -> " << o.events);
    }
}

BOOST_AUTO_TEST_CASE(streamed_text_and_tool_calls_in_any_chunking) {
    Harness h(kConfig);
    Request r = request(true);
    expect_events(h, r, 200, sse_headers(), kToolStream,
                  kToolEvents);
}

BOOST_AUTO_TEST_CASE(streamed_with_crlf_and_without_event_lines) {
    Harness h(kConfig);
    Request r = request(true);
    // The type in the JSON is enough; \r\n line ends.
    std::string body;
    std::size_t pos = 0;
    while ((pos = kToolStream.find("data: ", pos)) != std::string::npos) {
        const std::size_t end = kToolStream.find('\n', pos);
        body += kToolStream.substr(pos, end - pos) + "\r\n\r\n";
        pos = end;
    }
    expect_events(h, r, 200, sse_headers(), body,
                  kToolEvents);
}

BOOST_AUTO_TEST_CASE(streamed_plain_text_end_turn) {
    Harness h(kConfig);
    Request r = request(true);
    const std::string body =
        ev("message_start", R"({"type":"message_start","message":{"id":"msg_2","type":"message","role":"assistant","content":[],"model":"claude-3-haiku-20240307","stop_reason":null,"usage":{"input_tokens":10,"output_tokens":1}}})") +
        ev("content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})") +
        ev("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}})") +
        ev("content_block_stop", R"({"type":"content_block_stop","index":0})") +
        ev("message_delta", R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":5}})") +
        ev("unknown_future_event", R"({"type":"unknown_future_event"})") +
        ev("message_stop", R"({"type":"message_stop"})");
    expect_events(h, r, 200, sse_headers(), body,
                  "START id=msg_2 model=claude-3-haiku-20240307\n"
                  "TEXT c=0 Hello\n"
                  "FINISH c=0 stop\n"
                  "USAGE 10/5/0\n");
}

BOOST_AUTO_TEST_CASE(thinking_blocks_become_reasoning_in_streams) {
    Harness h(kConfig);
    Request r = request(true);
    const std::string body =
        ev("message_start", R"({"type":"message_start","message":{"id":"m","model":"c","usage":{"input_tokens":3}}})") +
        ev("content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}})") +
        ev("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hmm"}})") +
        ev("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"x"}})") +
        ev("content_block_stop", R"({"type":"content_block_stop","index":0})") +
        ev("content_block_start", R"({"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}})") +
        ev("content_block_delta", R"({"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"42"}})") +
        ev("content_block_stop", R"({"type":"content_block_stop","index":1})") +
        ev("message_delta", R"({"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":7}})") +
        ev("message_stop", R"({"type":"message_stop"})");
    const Outcome o = h.run(r, 200, sse_headers(), body);
    BOOST_TEST(o.status == HELIX_OK, o.message);
    BOOST_TEST(o.events == "START id=m model=c\n"
                           "REASON c=0 i=0 text=hmm sig= data= fmt=anthropic-claude-v1\n"
                           "REASON c=0 i=0 text= sig=x data= fmt=anthropic-claude-v1\n"
                           "TEXT c=0 42\nFINISH c=0 length\nUSAGE 3/7/0\n");
}

// Extended thinking before a tool call, as Claude streams it: a thinking block
// in pieces and its signature, a redacted_thinking block, then tool_use; the
// same events in every chunking, every opaque byte passed on.
BOOST_AUTO_TEST_CASE(streamed_thinking_signature_and_redacted_thinking_in_any_chunking) {
    Harness h(kConfig);
    Request r = request(true);
    const std::string body =
        ev("message_start", R"({"type":"message_start","message":{"id":"msg_t","model":"claude-sonnet-4-5","usage":{"input_tokens":9}}})") +
        ev("content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}})") +
        ev("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me think é"}})") +
        ev("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":" more."}})") +
        ev("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM+/sig=="}})") +
        ev("content_block_stop", R"({"type":"content_block_stop","index":0})") +
        ev("content_block_start", R"({"type":"content_block_start","index":1,"content_block":{"type":"redacted_thinking","data":"EmwKAhgBEgy3va3p/+enc=="}})") +
        ev("content_block_stop", R"({"type":"content_block_stop","index":1})") +
        ev("content_block_start", R"({"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_9","name":"f","input":{}}})") +
        ev("content_block_delta", R"({"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{}"}})") +
        ev("content_block_stop", R"({"type":"content_block_stop","index":2})") +
        ev("message_delta", R"({"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":30}})") +
        ev("message_stop", R"({"type":"message_stop"})");
    expect_events(h, r, 200, sse_headers(), body,
                  "START id=msg_t model=claude-sonnet-4-5\n"
                  "REASON c=0 i=0 text=Let me think \xC3\xA9 sig= data= fmt=anthropic-claude-v1\n"
                  "REASON c=0 i=0 text= more. sig= data= fmt=anthropic-claude-v1\n"
                  "REASON c=0 i=0 text= sig=EqQBCgIYAhIM+/sig== data= fmt=anthropic-claude-v1\n"
                  "REASON c=0 i=1 text= sig= data=EmwKAhgBEgy3va3p/+enc== fmt=anthropic-claude-v1\n"
                  "TOOL c=0 i=0 id=toolu_9 name=f args=\n"
                  "TOOL c=0 i=0 id= name= args={}\n"
                  "FINISH c=0 tool_calls\nUSAGE 9/30/0\n");
}

BOOST_AUTO_TEST_CASE(non_streamed_redacted_thinking_and_a_thinking_delta_on_a_text_block_is_refused) {
    Harness h(kConfig);
    Request r = request(false);
    const std::string body = R"({"id":"m","model":"c","content":[{"type":"redacted_thinking","data":"opaque=="},
      {"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":2}})";
    const Outcome o = run_all_chunkings(h, r, 200, json_headers(), body);
    BOOST_TEST(o.status == HELIX_OK, o.message);
    BOOST_TEST(contains(o.events, "REASON c=0 i=0 text= sig= data=opaque== fmt=anthropic-claude-v1\n"), o.events);

    Request s = request(true);
    const std::string bad =
        ev("message_start", R"({"type":"message_start","message":{"id":"m","model":"c"}})") +
        ev("content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})") +
        ev("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"x"}})");
    const Outcome refused = h.run(s, 200, sse_headers(), bad);
    BOOST_TEST(refused.status == HELIX_ERR_PROTOCOL);
}

// ----------------------------------------------------------------------------- errors

BOOST_AUTO_TEST_CASE(error_event_in_the_stream) {
    Harness h(kConfig);
    Request r = request(true);
    const std::string head = kToolStream.substr(0, kToolStream.find("event: content_block_start"));
    const std::string body =
        head + ev("error", R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
    const Outcome o = run_all_chunkings(h, r, 200, sse_headers(), body);
    BOOST_TEST(o.status == HELIX_ERR_RETRY);
    BOOST_TEST(o.http_status == 529);
    BOOST_TEST(o.message == "Overloaded");
    BOOST_TEST(o.code == "overloaded_error");
    BOOST_TEST(!o.failed_in_finish);
    BOOST_TEST(o.events == "START id=msg_01XFDUDYJgAACzvnptvVoYEL model=claude-3-5-sonnet-20241022\n");

    const Outcome invalid = h.run(r, 200, sse_headers(),
                                  ev("error", R"({"type":"error","error":{"type":"invalid_request_error","message":"bad"}})"));
    BOOST_TEST(invalid.status == HELIX_ERR_UPSTREAM);
    BOOST_TEST(invalid.http_status == 400);
    const Outcome api = h.run(r, 200, sse_headers(), ev("error", R"({"type":"error","error":{"type":"api_error","message":"Internal"}})"));
    BOOST_TEST(api.status == HELIX_ERR_RETRY);
    const Outcome unknown = h.run(r, 200, sse_headers(), ev("error", R"({"type":"error","error":{"type":"brand_new","message":"?"}})"));
    BOOST_TEST(unknown.status == HELIX_ERR_UPSTREAM);
    BOOST_TEST(unknown.http_status == 502);
}

BOOST_AUTO_TEST_CASE(truncated_stream_without_message_stop) {
    Harness h(kConfig);
    Request r = request(true);
    // Cut after message_delta (every event complete, but no message_stop).
    const std::string cut = kToolStream.substr(0, kToolStream.find("event: message_stop"));
    const Outcome o = run_all_chunkings(h, r, 200, sse_headers(), cut);
    BOOST_TEST(o.status == HELIX_ERR_PROTOCOL);
    BOOST_TEST(o.failed_in_finish);
    BOOST_TEST(contains(o.message, "message_stop"), o.message);
    // Cut inside an event.
    const Outcome mid = run_all_chunkings(h, r, 200, sse_headers(), kToolStream.substr(0, kToolStream.find("San Francisco")));
    BOOST_TEST(mid.status == HELIX_ERR_PROTOCOL);
    BOOST_TEST(mid.failed_in_finish);
    BOOST_TEST(contains(mid.message, "in the middle of an event"), mid.message);
}

BOOST_AUTO_TEST_CASE(malformed_stream_events_and_bodies) {
    Harness h(kConfig);
    Request r = request(true);
    const Outcome bad_json = h.run(r, 200, sse_headers(), ev("message_start", "{not json"));
    BOOST_TEST(bad_json.status == HELIX_ERR_PROTOCOL);
    const Outcome orphan_delta = h.run(
        r, 200, sse_headers(),
        ev("content_block_delta", R"({"type":"content_block_delta","index":3,"delta":{"type":"text_delta","text":"x"}})"));
    BOOST_TEST(orphan_delta.status == HELIX_ERR_PROTOCOL);
    const Outcome json_into_text = h.run(
        r, 200, sse_headers(),
        ev("content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})") +
            ev("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{"}})"));
    BOOST_TEST(json_into_text.status == HELIX_ERR_PROTOCOL);

    Request n = request(false);
    const Outcome truncated = run_all_chunkings(h, n, 200, json_headers(), R"({"id":"m","content":[{"type":"text")");
    BOOST_TEST(truncated.status == HELIX_ERR_PROTOCOL);
    const Outcome no_content = h.run(n, 200, json_headers(), R"({"id":"m","type":"message"})");
    BOOST_TEST(no_content.status == HELIX_ERR_PROTOCOL);
}

BOOST_AUTO_TEST_CASE(http_errors) {
    Harness h(kConfig);
    Request r = request(false);
    const auto body = [](const std::string &type, const std::string &message) {
        return R"({"type":"error","error":{"type":")" + type + R"(","message":")" + message + R"("},"request_id":"req_011"})";
    };

    const Outcome auth = run_all_chunkings(h, r, 401, json_headers(), body("authentication_error", "invalid x-api-key"));
    BOOST_TEST(auth.status == HELIX_ERR_AUTH);
    BOOST_TEST(auth.http_status == 502);
    BOOST_TEST(contains(auth.message, "gateway's credentials"));
    BOOST_TEST(!contains(auth.message, kKey));

    const Outcome limited = run_all_chunkings(h, r, 429, {{"content-type", "application/json"}, {"retry-after", "7"}},
                                              body("rate_limit_error", "Number of requests has exceeded your rate limit"));
    BOOST_TEST(limited.status == HELIX_ERR_RETRY);
    BOOST_TEST(limited.http_status == 429);
    BOOST_TEST(limited.retry_after_ms == 7000u);
    BOOST_TEST(limited.code == "rate_limit_error");

    const Outcome overloaded = run_all_chunkings(h, r, 529, json_headers(), body("overloaded_error", "Overloaded"));
    BOOST_TEST(overloaded.status == HELIX_ERR_RETRY);
    BOOST_TEST(overloaded.http_status == 529);
    BOOST_TEST(overloaded.message == "Overloaded");

    const Outcome server = h.run(r, 500, json_headers(), body("api_error", "Internal server error"));
    BOOST_TEST(server.status == HELIX_ERR_RETRY);
    BOOST_TEST(server.http_status == 500);

    const Outcome invalid = h.run(r, 400, json_headers(), body("invalid_request_error", "messages: roles must alternate"));
    BOOST_TEST(invalid.status == HELIX_ERR_UPSTREAM);
    BOOST_TEST(invalid.http_status == 400);
    BOOST_TEST(invalid.message == "messages: roles must alternate");

    const Outcome too_large = h.run(r, 413, json_headers(), body("request_too_large", "Request exceeds the maximum size"));
    BOOST_TEST(too_large.http_status == 413);

    const Outcome billing = h.run(r, 402, json_headers(), body("billing_error", "credit balance too low"));
    BOOST_TEST(billing.status == HELIX_ERR_UPSTREAM);
    BOOST_TEST(billing.http_status == 502);

    const Outcome spend = h.run(r, 429, json_headers(),
                                R"({"type":"error","error":{"type":"rate_limit_error","message":"spend limit","details":{"error_code":"enforced_spend_limit_reached"}}})");
    BOOST_TEST(spend.status == HELIX_ERR_UPSTREAM);
    BOOST_TEST(spend.http_status == 502);

    const Outcome html = h.run(r, 503, {{"content-type", "text/html"}}, "<html>unavailable</html>");
    BOOST_TEST(html.status == HELIX_ERR_RETRY);
    BOOST_TEST(html.message == "the upstream answered HTTP 503");
}

BOOST_AUTO_TEST_CASE(error_body_with_http_200_is_an_error) {
    Harness h(kConfig);
    Request r = request(false);
    const Outcome o = h.run(r, 200, json_headers(), R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
    BOOST_TEST(o.status == HELIX_ERR_RETRY);
    BOOST_TEST(o.events.empty());
}

BOOST_AUTO_TEST_CASE(token_counts_near_int64_max_saturate_instead_of_overflowing) {
    Harness h(kConfig);
    Request r = request(false);
    const std::string body = R"({"id":"m","type":"message","role":"assistant","model":"c",
      "content":[{"type":"text","text":"x"}],"stop_reason":"end_turn",
      "usage":{"input_tokens":9223372036854775807,"output_tokens":1,"cache_creation_input_tokens":9223372036854775807,
               "cache_read_input_tokens":5}})";
    const Outcome o = run_all_chunkings(h, r, 200, json_headers(), body);
    BOOST_TEST(o.status == HELIX_OK, o.message);
    BOOST_TEST(o.events.find("USAGE 9223372036854775807/1/5\n") != std::string::npos, o.events);
}

// Structured output: the forced answer tool's input is the answer's text, and
// a turn that only answered ends with "stop"; any chunking.
BOOST_AUTO_TEST_CASE(the_answer_tool_decodes_as_text) {
    Harness h(kConfig);
    Request r = request(true);
    r.response_format = HELIX_FORMAT_JSON_OBJECT;
    const std::string body =
        ev("message_start", R"({"type":"message_start","message":{"id":"m","model":"c","usage":{"input_tokens":3}}})") +
        ev("content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_j","name":"json_response","input":{}}})") +
        ev("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"name\":"}})") +
        ev("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"\"Oslo\"}"}})") +
        ev("content_block_stop", R"({"type":"content_block_stop","index":0})") +
        ev("message_delta", R"({"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":7}})") +
        ev("message_stop", R"({"type":"message_stop"})");
    expect_events(h, r, 200, sse_headers(), body,
                  "START id=m model=c\nTEXT c=0 {\"name\":\nTEXT c=0 \"Oslo\"}\nFINISH c=0 stop\nUSAGE 3/7/0\n");

    Request whole = request(false);
    whole.response_format = HELIX_FORMAT_JSON_SCHEMA;
    whole.response_schema_json = R"({"name":"city","schema":{"type":"object"}})";
    const Outcome w = run_all_chunkings(h, whole, 200, json_headers(), R"({"id":"m","model":"c","content":[
        {"type":"tool_use","id":"toolu_j","name":"json_response","input":{"name":"Oslo"}}],"stop_reason":"tool_use",
        "usage":{"input_tokens":3,"output_tokens":7}})");
    BOOST_TEST(w.events == "START id=m model=c\nTEXT c=0 {\"name\":\"Oslo\"}\nFINISH c=0 stop\nUSAGE 3/7/0\n");

    Request plain = request(false); // without response_format the tool is just a tool
    const Outcome t = h.run(plain, 200, json_headers(), R"({"id":"m","model":"c","content":[
        {"type":"tool_use","id":"toolu_j","name":"json_response","input":{}}],"stop_reason":"tool_use","usage":{}})");
    BOOST_TEST(contains(t.events, "TOOL c=0 i=0 id=toolu_j name=json_response"), t.events);
}
