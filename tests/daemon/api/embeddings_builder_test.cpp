#define BOOST_TEST_MODULE api_embeddings_builder
#include <boost/test/unit_test.hpp>

#include "daemon/api/embeddings_builder.hpp"

#include <boost/json.hpp>

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace api = helix::api;
namespace json = boost::json;

namespace {

helix_event embedding(std::uint32_t index, const std::vector<float> &v) {
    helix_event e{};
    e.struct_size = sizeof e;
    e.type = HELIX_EVENT_EMBEDDING;
    e.embedding_index = index;
    e.embedding = v.data();
    e.embedding_len = v.size();
    return e;
}

helix_event usage(std::int64_t prompt) {
    helix_event e{};
    e.struct_size = sizeof e;
    e.type = HELIX_EVENT_USAGE;
    e.prompt_tokens = prompt;
    return e;
}

// Decodes base64 (test side, independent of the builder's encoder).
std::vector<float> floats_of_base64(std::string_view text) {
    static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string bytes;
    std::uint32_t acc = 0;
    int bits = 0;
    for (const char c : text) {
        if (c == '=') break;
        acc = (acc << 6) | static_cast<std::uint32_t>(alphabet.find(c));
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            bytes += static_cast<char>((acc >> bits) & 0xFFu);
        }
    }
    std::vector<float> out;
    for (std::size_t i = 0; i + 4 <= bytes.size(); i += 4) {
        std::uint32_t u = 0;
        for (std::size_t b = 0; b < 4; ++b) u |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + b])) << (8 * b);
        out.push_back(std::bit_cast<float>(u));
    }
    return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(the_reply_is_openais_list_ordered_by_index) {
    api::EmbeddingsBuilder b("my-embedder", false);
    const std::vector<float> v0{0.5f, -0.25f}, v1{1.0f, 0.0f}, v2{0.1f, 3.0e-8f};
    b.add(embedding(2, v2));
    b.add(embedding(0, v0));
    b.add(embedding(1, v1));
    b.add(usage(7));
    BOOST_TEST(b.count() == 3U);
    const json::value reply = json::parse(b.build());
    const json::object &o = reply.as_object();
    BOOST_TEST(o.at("object").as_string() == "list");
    BOOST_TEST(o.at("model").as_string() == "my-embedder");
    BOOST_TEST(o.at("usage").at("prompt_tokens").as_int64() == 7);
    BOOST_TEST(o.at("usage").at("total_tokens").as_int64() == 7);
    const json::array &data = o.at("data").as_array();
    BOOST_REQUIRE(data.size() == 3U);
    const std::vector<const std::vector<float> *> expected{&v0, &v1, &v2};
    for (std::size_t i = 0; i < 3; ++i) {
        BOOST_TEST(data[i].at("object").as_string() == "embedding");
        BOOST_TEST(data[i].at("index").as_int64() == static_cast<std::int64_t>(i));
        const json::array &values = data[i].at("embedding").as_array();
        BOOST_REQUIRE(values.size() == 2U);
        // Written in the shortest form that reads back as the same float.
        for (std::size_t k = 0; k < 2; ++k)
            BOOST_TEST(static_cast<float>(values[k].to_number<double>()) == (*expected[i])[k]);
    }
}

BOOST_AUTO_TEST_CASE(base64_is_little_endian_float32) {
    api::EmbeddingsBuilder b("m", true);
    const std::vector<float> v{0.5f, -1.75f, 3.1415927f};
    b.add(embedding(0, v));
    const json::value reply = json::parse(b.build());
    const std::string_view text = reply.at("data").at(0).at("embedding").as_string();
    BOOST_TEST(floats_of_base64(text) == v);
    // 0.5f is 0x3F000000: bytes 00 00 00 3F first.
    BOOST_TEST(api::base64_floats({0.5f}) == "AAAAPw==");
}

BOOST_AUTO_TEST_CASE(no_usage_reads_as_zero_and_the_model_is_escaped) {
    api::EmbeddingsBuilder b("we\"ird", false);
    const std::vector<float> v{1.0f};
    b.add(embedding(0, v));
    const json::value reply = json::parse(b.build());
    BOOST_TEST(reply.at("model").as_string() == "we\"ird");
    BOOST_TEST(reply.at("usage").at("prompt_tokens").as_int64() == 0);
}

BOOST_AUTO_TEST_CASE(indexes_beyond_the_input_limit_are_ignored) {
    api::EmbeddingsBuilder b("m", false);
    const std::vector<float> v{1.0f};
    b.add(embedding(4000000000u, v));
    BOOST_TEST(b.count() == 0U);
    BOOST_TEST(json::parse(b.build()).at("data").as_array().empty());
}
