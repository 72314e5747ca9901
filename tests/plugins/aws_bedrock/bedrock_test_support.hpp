#pragma once
// Helpers of the aws_bedrock tests: ConverseStream bodies built with
// aws_common's encoder, the response headers Bedrock sends, and an
// independent check of a prepared request's SigV4 signature with aws_common's
// verifier (the simulator's side).

#include "../chunking_check.hpp"

#include "plugins/aws_common/event_stream.hpp"
#include "plugins/aws_common/sigv4.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <string>
#include <vector>

namespace helix::aws {
// For Boost.Test's messages.
inline std::ostream &operator<<(std::ostream &os, VerifyError e) { return os << to_string(e); }
} // namespace helix::aws

namespace helix::test::bedrock {

inline std::string frame(const helix::aws::Message &m) {
    std::string out;
    if (helix::aws::encode_message(m, out) != helix::aws::EncodeError::none) throw std::runtime_error("encode failed");
    return out;
}

inline std::string event(std::string_view type, std::string payload) {
    return frame(helix::aws::make_event_message(type, std::move(payload)));
}

inline std::string exception(std::string_view type, std::string payload) {
    return frame(helix::aws::make_exception_message(type, std::move(payload)));
}

inline const std::vector<Header> &stream_headers() {
    static const std::vector<Header> h{{"Content-Type", "application/vnd.amazon.eventstream"},
                                       {"x-amzn-RequestId", "req-7f3c"}};
    return h;
}

inline const std::vector<Header> &converse_headers() {
    static const std::vector<Header> h{{"Content-Type", "application/json"}, {"x-amzn-RequestId", "req-json-1"}};
    return h;
}

inline std::vector<Header> error_headers(std::string error_type) {
    return {{"Content-Type", "application/json"}, {"x-amzn-ErrorType", std::move(error_type)},
            {"x-amzn-RequestId", "req-err"}};
}

// Checks p's signature as the Bedrock simulator will: aws_common's verify()
// with the given key, region us-east-1 (unless given), service bedrock, at now_ms.
inline helix::aws::VerifyResult verify_prepared(const Prepared &p, const std::string &access_key_id,
                                                const std::string &secret, const std::string &session_token,
                                                std::int64_t now_ms, std::string_view region = "us-east-1") {
    const auto url = helix::aws::split_url(p.url);
    if (!url) throw std::runtime_error("bad url " + p.url);
    std::vector<helix::aws::HttpHeader> headers;
    for (const auto &h : p.headers) headers.push_back({h.name, h.value});
    helix::aws::VerifyOptions o;
    o.region = region;
    o.service = "bedrock";
    o.now = std::chrono::sys_seconds(std::chrono::seconds(now_ms / 1000));
    return helix::aws::verify({p.method, url->path, url->query, headers, p.body},
                              [&](std::string_view akid) -> std::optional<helix::aws::VerifierSecret> {
                                  if (akid != access_key_id) return std::nullopt;
                                  return helix::aws::VerifierSecret{secret, session_token};
                              },
                              o);
}

// A directory of its own under the temp dir, removed at the end of the test.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        static int counter = 0;
        path = std::filesystem::temp_directory_path() /
               ("helix-bedrock-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    std::string write(const std::string &name, const std::string &contents) const {
        const auto file = path / name;
        std::filesystem::create_directories(file.parent_path());
        std::ofstream(file, std::ios::binary) << contents;
        return file.string();
    }
};

// JSON string escaping for settings built in tests.
inline std::string quoted(const std::string &s) { return boost::json::serialize(boost::json::value(s)); }

} // namespace helix::test::bedrock
