#define BOOST_TEST_MODULE api_text_completion_builder
#include <boost/test/unit_test.hpp>

#include "daemon/api/text_completion_builder.hpp"

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace api = helix::api;
namespace json = boost::json;

namespace {

helix_event ev(std::uint32_t type) {
    helix_event e{};
    e.struct_size = sizeof e;
    e.type = type;
    return e;
}
helix_event text(std::string_view t) {
    helix_event e = ev(HELIX_EVENT_TEXT_DELTA);
    e.text = {t.data(), t.size()};
    return e;
}

void feed(api::TextCompletionBuilder &b, std::vector<std::string> &out, std::string_view answer, std::size_t piece) {
    for (std::size_t at = 0; at < answer.size(); at += piece) b.add(text(answer.substr(at, piece)), out);
    helix_event f = ev(HELIX_EVENT_FINISH);
    f.finish_reason = HELIX_FINISH_LENGTH;
    b.add(f, out);
    helix_event u = ev(HELIX_EVENT_USAGE);
    u.prompt_tokens = 5;
    u.completion_tokens = 7;
    b.add(u, out);
    b.finish(out);
}

} // namespace

BOOST_AUTO_TEST_CASE(a_whole_reply_is_a_text_completion) {
    api::TextCompletionBuilder b("cmpl-1", 42, "openai/gpt-4o", false, false);
    std::vector<std::string> out;
    feed(b, out, "This is a test.", 4);
    BOOST_TEST(out.empty());
    const json::object r = json::parse(b.build()).as_object();
    BOOST_TEST(r.at("object").as_string() == "text_completion");
    BOOST_TEST(r.at("id").as_string() == "cmpl-1");
    BOOST_TEST(r.at("created").as_int64() == 42);
    BOOST_TEST(r.at("choices").at(0).at("text").as_string() == "This is a test.");
    BOOST_TEST(r.at("choices").at(0).at("finish_reason").as_string() == "length");
    BOOST_TEST(r.at("choices").at(0).at("logprobs").is_null());
    BOOST_TEST(r.at("usage").at("total_tokens").as_int64() == 12);
}

BOOST_AUTO_TEST_CASE(a_stream_gives_the_same_text_in_chunks_then_the_finish_and_the_usage) {
    const std::string answer = "Köln 🎉 ok";
    for (std::size_t piece : {std::size_t(1), std::size_t(3), answer.size()}) {
        api::TextCompletionBuilder b("cmpl-1", 42, "m", true, true);
        std::vector<std::string> out;
        feed(b, out, answer, piece);
        BOOST_TEST_REQUIRE(out.size() >= 3u);
        std::string joined;
        for (std::size_t i = 0; i + 1 < out.size(); ++i) {
            const json::object c = json::parse(out[i]).as_object();
            BOOST_TEST(c.at("object").as_string() == "text_completion");
            joined += c.at("choices").at(0).at("text").as_string();
            BOOST_TEST(c.at("choices").at(0).at("finish_reason").is_null() == (i + 2 < out.size()));
        }
        BOOST_TEST(joined == answer);
        const json::object last = json::parse(out.back()).as_object();
        BOOST_TEST(last.at("choices").as_array().empty());
        BOOST_TEST(last.at("usage").at("completion_tokens").as_int64() == 7);
    }
}

BOOST_AUTO_TEST_CASE(without_include_usage_no_usage_chunk) {
    api::TextCompletionBuilder b("cmpl-1", 42, "m", true, false);
    std::vector<std::string> out;
    feed(b, out, "ab", 1);
    BOOST_TEST(out.size() == 3u);
    BOOST_TEST(json::parse(out.back()).at("choices").at(0).at("finish_reason").as_string() == "length");
}

namespace {

helix_event on(std::uint32_t choice, helix_event e) {
    e.choice = choice;
    return e;
}
helix_event extra(std::uint32_t choice, std::string_view name, std::string_view value) {
    helix_event e = ev(HELIX_EVENT_EXTRA);
    e.choice = choice;
    e.name = {name.data(), name.size()};
    e.json = {value.data(), value.size()};
    return e;
}
helix_event finish_event(std::uint32_t choice, std::uint32_t reason) {
    helix_event e = ev(HELIX_EVENT_FINISH);
    e.choice = choice;
    e.finish_reason = reason;
    return e;
}

} // namespace

BOOST_AUTO_TEST_CASE(several_choices_come_out_in_index_order_with_their_logprobs) {
    api::TextCompletionBuilder b("cmpl-1", 42, "m", false, false, 2);
    std::vector<std::string> out;
    b.add(on(1, text("second")), out);
    b.add(extra(0, "logprobs", R"({"tokens":["first"],"token_logprobs":[-0.5]})"), out);
    b.add(on(0, text("first")), out);
    b.add(extra(1, "content_filter_results", R"({"hate":{"filtered":false}})"), out);
    b.add(on(7, text("beyond the choices asked for")), out);
    b.add(finish_event(1, HELIX_FINISH_LENGTH), out);
    b.add(finish_event(0, HELIX_FINISH_STOP), out);
    b.finish(out);
    BOOST_TEST(out.empty());
    const json::object r = json::parse(b.build()).as_object();
    const json::array &choices = r.at("choices").as_array();
    BOOST_TEST_REQUIRE(choices.size() == 2u);
    BOOST_TEST(choices[0].at("index").as_int64() == 0);
    BOOST_TEST(choices[0].at("text").as_string() == "first");
    BOOST_TEST(choices[0].at("finish_reason").as_string() == "stop");
    BOOST_TEST(choices[0].at("logprobs").at("tokens").at(0).as_string() == "first");
    BOOST_TEST(choices[1].at("text").as_string() == "second");
    BOOST_TEST(choices[1].at("finish_reason").as_string() == "length");
    BOOST_TEST(choices[1].at("logprobs").is_null());
    BOOST_TEST(choices[1].at("content_filter_results").at("hate").at("filtered").as_bool() == false);
}

BOOST_AUTO_TEST_CASE(a_stream_carries_each_chunks_logprobs_and_each_choices_finish) {
    api::TextCompletionBuilder b("cmpl-1", 42, "m", true, false, 2);
    std::vector<std::string> out;
    b.add(extra(0, "prompt_filter_results", R"([{"prompt_index":0}])"), out); // Azure's, in a chunk of its own
    b.add(extra(0, "logprobs", R"({"tokens":["a"]})"), out);
    b.add(on(0, text("a")), out);
    b.add(extra(1, "logprobs", R"({"tokens":["b"]})"), out);
    b.add(on(1, text("b")), out);
    b.add(extra(1, "logprobs", R"({"tokens":["\u00e9"]})"), out);
    b.add(on(1, text("\xc3")), out); // half a character: its logprobs wait for the text
    b.add(on(1, text("\xa9")), out);
    b.add(finish_event(0, HELIX_FINISH_STOP), out);
    b.add(finish_event(1, HELIX_FINISH_LENGTH), out);
    b.finish(out);
    BOOST_TEST_REQUIRE(out.size() == 6u);
    const json::object filters = json::parse(out[0]).as_object();
    BOOST_TEST(filters.at("choices").as_array().empty());
    BOOST_TEST(filters.at("prompt_filter_results").at(0).at("prompt_index").as_int64() == 0);
    const auto choice = [&](std::size_t i) { return json::parse(out[i]).at("choices").at(0).as_object(); };
    BOOST_TEST(choice(1).at("text").as_string() == "a");
    BOOST_TEST(choice(1).at("index").as_int64() == 0);
    BOOST_TEST(choice(1).at("logprobs").at("tokens").at(0).as_string() == "a");
    BOOST_TEST(choice(2).at("index").as_int64() == 1);
    BOOST_TEST(choice(2).at("logprobs").at("tokens").at(0).as_string() == "b");
    BOOST_TEST(choice(3).at("text").as_string() == "\xc3\xa9");
    BOOST_TEST(choice(3).at("logprobs").at("tokens").at(0).as_string() == "\xc3\xa9");
    BOOST_TEST(choice(4).at("index").as_int64() == 0);
    BOOST_TEST(choice(4).at("finish_reason").as_string() == "stop");
    BOOST_TEST(choice(4).at("logprobs").is_null());
    BOOST_TEST(choice(5).at("index").as_int64() == 1);
    BOOST_TEST(choice(5).at("finish_reason").as_string() == "length");
}
