#define BOOST_TEST_MODULE api_embeddings_request
#include <boost/test/unit_test.hpp>

#include "daemon/api/embeddings_request.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace api = helix::api;
using api::ApiError;
using api::EmbeddingsRequest;

namespace {

std::string_view sv(helix_str s) { return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.len); }

EmbeddingsRequest ok(std::string body) {
    api::EmbeddingsParseResult result = api::parse_embeddings_request(std::move(body));
    if (const auto *error = std::get_if<ApiError>(&result))
        BOOST_FAIL("expected a valid request, got " << error->status << " param='" << error->param << "' code='"
                                                    << error->code << "': " << error->message);
    return std::move(std::get<EmbeddingsRequest>(result));
}

ApiError bad(std::string body) {
    api::EmbeddingsParseResult result = api::parse_embeddings_request(body);
    if (std::holds_alternative<EmbeddingsRequest>(result)) BOOST_FAIL("expected an error, the body parsed: " << body);
    return std::get<ApiError>(std::move(result));
}

std::string with_input(std::string_view input, std::string_view extra = {}) {
    std::string body = R"({"model":"openai/text-embedding-3-small","input":)" + std::string(input);
    if (!extra.empty()) body += "," + std::string(extra);
    return body + "}";
}

void check_error(const ApiError &e, std::string_view param, std::string_view code) {
    BOOST_TEST(e.status == 400);
    BOOST_TEST(e.type == "invalid_request_error");
    BOOST_TEST(e.param == param);
    BOOST_TEST(e.code == code);
    BOOST_TEST(!e.message.empty());
}

} // namespace

BOOST_AUTO_TEST_CASE(a_string_is_one_text_input_with_float_encoding_by_default) {
    const EmbeddingsRequest r = ok(with_input(R"("hello world")"));
    BOOST_TEST(r.model() == "openai/text-embedding-3-small");
    BOOST_TEST(r.input_count() == 1U);
    BOOST_TEST(!r.base64());
    BOOST_TEST(!r.token_inputs());
    BOOST_TEST(r.dimensions() == 0U);
    const helix_embeddings_request v = r.view("text-embedding-3-small", 0, 1);
    BOOST_TEST(v.struct_size == sizeof(helix_embeddings_request));
    BOOST_TEST(sv(v.model) == "text-embedding-3-small");
    BOOST_TEST(v.input_count == 1U);
    BOOST_TEST(v.encoding == HELIX_ENCODING_FLOAT);
    BOOST_TEST(v.inputs[0]->struct_size == sizeof(helix_embedding_input));
    BOOST_TEST(sv(v.inputs[0]->text) == "hello world");
    BOOST_TEST(v.inputs[0]->tokens == nullptr);
    BOOST_TEST(sv(v.original_body) == r.body());
}

BOOST_AUTO_TEST_CASE(an_array_of_strings_keeps_its_order_and_a_view_covers_a_slice) {
    const EmbeddingsRequest r = ok(with_input(R"(["a","b","c","d","e"])", R"("dimensions":256,"user":"u-1")"));
    BOOST_TEST(r.input_count() == 5U);
    BOOST_TEST(r.dimensions() == 256U);
    const helix_embeddings_request part = r.view("m", 2, 2);
    BOOST_TEST(part.input_count == 2U);
    BOOST_TEST(sv(part.inputs[0]->text) == "c");
    BOOST_TEST(sv(part.inputs[1]->text) == "d");
    BOOST_TEST(part.dimensions == 256U);
    BOOST_TEST(sv(part.user) == "u-1");
    // A slice past the end is cut to what there is.
    BOOST_TEST(r.view("m", 4, 10).input_count == 1U);
    BOOST_TEST(r.view("m", 9, 1).input_count == 0U);
}

BOOST_AUTO_TEST_CASE(token_ids_are_one_input_and_arrays_of_them_several) {
    const EmbeddingsRequest one = ok(with_input("[1,2,3]"));
    BOOST_TEST(one.input_count() == 1U);
    BOOST_TEST(one.token_inputs());
    const helix_embedding_input &in = *one.view("m", 0, 1).inputs[0];
    BOOST_TEST(in.token_count == 3U);
    BOOST_TEST(in.tokens[0] == 1);
    BOOST_TEST(in.tokens[2] == 3);

    const EmbeddingsRequest many = ok(with_input("[[5],[6,7]]"));
    BOOST_TEST(many.input_count() == 2U);
    const helix_embeddings_request v = many.view("m", 0, 2);
    BOOST_TEST(v.inputs[0]->token_count == 1U);
    BOOST_TEST(v.inputs[1]->token_count == 2U);
    BOOST_TEST(v.inputs[1]->tokens[1] == 7);
}

BOOST_AUTO_TEST_CASE(base64_and_float_are_the_encodings) {
    BOOST_TEST(ok(with_input(R"("x")", R"("encoding_format":"base64")")).base64());
    BOOST_TEST(ok(with_input(R"("x")", R"("encoding_format":"base64")")).view("m", 0, 1).encoding ==
               HELIX_ENCODING_BASE64);
    BOOST_TEST(!ok(with_input(R"("x")", R"("encoding_format":"float")")).base64());
    BOOST_TEST(!ok(with_input(R"("x")", R"("encoding_format":null)")).base64());
    check_error(bad(with_input(R"("x")", R"("encoding_format":"int8")")), "encoding_format", "invalid_value");
    check_error(bad(with_input(R"("x")", R"("encoding_format":1)")), "encoding_format", "invalid_type");
}

BOOST_AUTO_TEST_CASE(bad_inputs_name_the_field) {
    check_error(bad(R"({"model":"m"})"), "input", "missing_required_parameter");
    check_error(bad(with_input(R"("")")), "input", "empty_string");
    check_error(bad(with_input("[]")), "input", "empty_array");
    check_error(bad(with_input(R"(["a",""])")), "input[1]", "empty_string");
    check_error(bad(with_input(R"(["a",3])")), "input[1]", "invalid_type");
    check_error(bad(with_input("42")), "input", "invalid_type");
    check_error(bad(with_input(R"({"text":"a"})")), "input", "invalid_type");
    check_error(bad(with_input("[true]")), "input[0]", "invalid_type");
    check_error(bad(with_input("[[1],[]]")), "input[1]", "empty_array");
    check_error(bad(with_input("[1,-2]")), "input[1]", "integer_below_min_value");
    check_error(bad(with_input("[1,2.5]")), "input[1]", "invalid_type");
    check_error(bad(with_input(R"([[1],"a"])")), "input[1]", "invalid_type");
}

BOOST_AUTO_TEST_CASE(at_most_2048_inputs) {
    const auto strings = [](std::size_t n) {
        std::string a = "[";
        for (std::size_t i = 0; i < n; ++i) a += (i ? ",\"t" : "\"t") + std::to_string(i) + "\"";
        return a + "]";
    };
    BOOST_TEST(ok(with_input(strings(2048))).input_count() == 2048U);
    const ApiError e = bad(with_input(strings(2049)));
    check_error(e, "input", "array_above_max_length");
    BOOST_TEST(e.message.find("2048") != std::string::npos);
    std::string tokens = "[";
    for (int i = 0; i < 2049; ++i) tokens += (i ? ",[1]" : "[1]");
    check_error(bad(with_input(tokens + "]")), "input", "array_above_max_length");
}

BOOST_AUTO_TEST_CASE(model_dimensions_and_user_are_checked) {
    check_error(bad(R"({"input":"x"})"), "model", "missing_required_parameter");
    check_error(bad(R"({"model":"","input":"x"})"), "model", "empty_string");
    check_error(bad(R"({"model":7,"input":"x"})"), "model", "invalid_type");
    check_error(bad(with_input(R"("x")", R"("dimensions":0)")), "dimensions", "integer_below_min_value");
    check_error(bad(with_input(R"("x")", R"("dimensions":-3)")), "dimensions", "integer_below_min_value");
    check_error(bad(with_input(R"("x")", R"("dimensions":1.5)")), "dimensions", "invalid_type");
    check_error(bad(with_input(R"("x")", R"("dimensions":"256")")), "dimensions", "invalid_type");
    check_error(bad(with_input(R"("x")", R"("dimensions":100000)")), "dimensions", "integer_above_max_value");
    check_error(bad(with_input(R"("x")", R"("user":5)")), "user", "invalid_type");
}

BOOST_AUTO_TEST_CASE(malformed_bodies_are_400_with_null_param) {
    for (const char *body : {"", "{", "[1]", "\"x\"", "null"}) {
        const ApiError e = bad(body);
        BOOST_TEST(e.status == 400);
        BOOST_TEST(e.param.empty());
    }
}

BOOST_AUTO_TEST_CASE(unknown_members_are_ignored_and_moves_keep_the_views) {
    EmbeddingsRequest a = ok(with_input(R"(["one","two"])", R"("extra":{"x":1})"));
    EmbeddingsRequest b = std::move(a);
    const helix_embeddings_request v = b.view("m", 0, 2);
    BOOST_TEST(sv(v.inputs[1]->text) == "two");
}
