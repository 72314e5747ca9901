#define BOOST_TEST_MODULE cloudsim_schema_sample
#include <boost/test/unit_test.hpp>

#include "tools/cloudsim/openai_wire.hpp"
#include "tools/cloudsim/reply_generator.hpp"
#include "tools/cloudsim/schema_sample.hpp"
#include "tools/cloudsim/vertex_wire.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

using namespace helix::cloudsim;
namespace json = boost::json;

namespace {

std::string sample(std::string_view schema) { return json::serialize(schema_sample(json::parse(schema))); }

} // namespace

BOOST_AUTO_TEST_CASE(scalars_objects_and_arrays_fit_their_schema) {
    BOOST_TEST(sample(R"({"type":"object","properties":{"name":{"type":"string"},"n":{"type":"integer"},)"
                      R"("x":{"type":"number"},"ok":{"type":"boolean"},"none":{"type":"null"},"free":{}}})") ==
               R"({"name":"sim-name","n":42,"x":3.5E0,"ok":true,"none":null,"free":null})");
    BOOST_TEST(sample(R"({"type":"object","properties":{"deep":{"type":"object","properties":{"a":{"type":["string","null"]}}},)"
                      R"("list":{"type":"array","minItems":2,"items":{"type":"integer","minimum":100,"maximum":200}},)"
                      R"("empty":{"type":"array","items":{"type":"string"}}}})") ==
               R"({"deep":{"a":"sim-a"},"list":[100,100],"empty":[]})");
    BOOST_TEST(sample(R"({"type":"integer","exclusiveMaximum":10})") == "9");
    BOOST_TEST(sample(R"({"type":"number","maximum":1})") == "1E0");
    BOOST_TEST(sample(R"({"type":"string","maxLength":3})") == R"("sim")");
    BOOST_TEST(sample(R"({"type":"string","minLength":12})") == R"("sim-valuexxx")");
    BOOST_TEST(sample(R"({"type":"string","format":"date-time"})") == R"("2025-01-01T00:00:00Z")");
    BOOST_TEST(sample(R"({"enum":["b","a"]})") == R"("b")");
    BOOST_TEST(sample(R"({"const":{"k":1}})") == R"({"k":1})");
}

BOOST_AUTO_TEST_CASE(refs_branches_and_vertex_schemas) {
    BOOST_TEST(sample(R"({"$defs":{"pt":{"type":"object","properties":{"x":{"type":"number"}}}},"type":"object",)"
                      R"("properties":{"at":{"$ref":"#/$defs/pt"},"maybe":{"anyOf":[{"type":"null"},{"type":"boolean"}]},)"
                      R"("both":{"allOf":[{"properties":{"a":{"type":"string"}}},{"properties":{"b":{"type":"integer"}}}]}}})") ==
               R"({"at":{"x":3.5E0},"maybe":true,"both":{"a":"sim-a","b":42}})");
    // A reference to itself ends in null instead of recursing forever.
    BOOST_TEST(sample(R"({"type":"object","properties":{"next":{"$ref":"#"}}})").find("null") != std::string::npos);
    // Vertex's OpenAPI subset: upper-case types, nullable.
    BOOST_TEST(sample(R"({"type":"OBJECT","properties":{"s":{"type":"STRING","nullable":true},"i":{"type":"INTEGER","minimum":"7"}}})") ==
               R"({"s":"sim-s","i":42})");
    BOOST_TEST(tool_arguments_for(json::parse(R"({"type":"string"})")) == "{}");
}

BOOST_AUTO_TEST_CASE(openai_response_format_makes_the_answer_json) {
    openai::ApiError error;
    auto r = openai::parse_chat_request(
        R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema",)"
        R"("json_schema":{"name":"x","schema":{"type":"object","properties":{"a":{"type":"integer"}}}}}})",
        error, true);
    BOOST_TEST_REQUIRE(r.has_value(), error.message);
    Reply reply = generate_reply(r->prompt, 10);
    BOOST_TEST(reply.text() == R"({"a":42})");
    BOOST_TEST(reply.pieces.size() == 1u);

    r = openai::parse_chat_request(
        R"({"model":"gpt-4o","messages":[{"role":"user","content":"say hi in JSON"}],"response_format":{"type":"json_object"}})",
        error, true);
    BOOST_TEST_REQUIRE(r.has_value(), error.message);
    reply = generate_reply(r->prompt, 10);
    BOOST_TEST(std::string_view(json::parse(reply.text()).at("reply").as_string()).starts_with("You said:"));
    BOOST_TEST(reply.pieces.size() > 1u); // streamed in pieces

    BOOST_TEST(!openai::parse_chat_request(
        R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_object"}})", error, true));
    BOOST_TEST(error.message.find("must contain the word 'json'") != std::string::npos, error.message);
    BOOST_TEST(!openai::parse_chat_request(
        R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{}}})", error, true));
    BOOST_TEST(error.param.value_or("") == "response_format.json_schema.name");
}

BOOST_AUTO_TEST_CASE(vertex_response_schema_is_checked_and_answered) {
    const auto parse = [](std::string_view config, vertex::ApiError &error) {
        return vertex::parse_generate_request(
            std::string(R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}],"generationConfig":)") + std::string(config) + "}",
            "gemini-2.5-flash", error);
    };
    vertex::ApiError error;
    auto r = parse(R"({"responseMimeType":"application/json","responseSchema":{"type":"OBJECT","properties":{"n":{"type":"NUMBER"}}}})", error);
    BOOST_TEST_REQUIRE(r.has_value(), error.message);
    BOOST_TEST(generate_reply(r->prompt, 5).text() == R"({"n":3.5E0})");
    BOOST_TEST(!parse(R"({"responseMimeType":"application/json","responseSchema":{"type":"object"}})", error));
    BOOST_TEST(error.message.find("response_schema.type") != std::string::npos, error.message);
    BOOST_TEST(!parse(R"({"responseMimeType":"application/json","responseSchema":{"type":"OBJECT","additionalProperties":false}})", error));
    BOOST_TEST(error.message.find("Unknown name \"additionalProperties\"") != std::string::npos, error.message);
    BOOST_TEST(!parse(R"({"responseSchema":{"type":"OBJECT"}})", error));
    BOOST_TEST(error.message.find("response_mime_type") != std::string::npos, error.message);
}
