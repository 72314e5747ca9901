#include "tools/plugin_check/canned_replies.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace helix::plugin_check {

std::vector<CannedReply> generic_replies() {
    using E = CannedReply::Expect;
    const std::vector<std::pair<std::string, std::string>> json{{"content-type", "application/json"}};
    const std::string error_json = R"({"error":{"message":"upstream says no","type":"invalid_request_error"}})";
    std::string garbage;
    for (int i = 0; i < 512; ++i) garbage.push_back(static_cast<char>((i * 7919 + 13) & 0xff)); // NULs, bad UTF-8
    std::vector<CannedReply> replies{
        {"429 with Retry-After", 429, {{"content-type", "application/json"}, {"retry-after", "3"}}, error_json, false, E::retry},
        {"429 streamed", 429, {{"retry-after", "1"}}, error_json, true, E::retry},
        {"500", 500, json, error_json, false, E::retry},
        {"502 without body", 502, {}, "", false, E::retry},
        {"503", 503, {{"content-type", "text/html"}}, "<html>Service Unavailable</html>", false, E::retry},
        {"400", 400, json, error_json, false, E::error},
        {"401", 401, json, R"({"error":{"message":"bad credentials"}})", false, E::error},
        {"403", 403, json, error_json, false, E::error},
        {"404", 404, json, error_json, false, E::error},
        {"200 empty", 200, json, "", false, E::survive},
        {"200 empty streamed", 200, {{"content-type", "text/event-stream"}}, "", true, E::survive},
        {"200 garbage", 200, json, garbage, false, E::survive},
        {"200 garbage streamed", 200, {{"content-type", "text/event-stream"}}, garbage, true, E::survive},
        {"200 truncated JSON", 200, json, R"({"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"Hel)", false,
         E::survive},
        {"200 unexpected JSON", 200, json, R"({"unexpected":[1,2,3],"choices":"no"})", false, E::survive},
        {"200 deep JSON", 200, json, std::string(5000, '[') + std::string(5000, ']'), false, E::survive},
    };
    return replies;
}

CannedReply read_sample_reply(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot read the reply file");
    std::ostringstream all;
    all << in.rdbuf();
    const std::string text = all.str();
    CannedReply reply;
    reply.name = std::filesystem::path(path).filename().string();
    reply.stream = reply.name.find(".stream.") != std::string::npos;
    reply.expect = CannedReply::Expect::content;
    std::size_t at = 0;
    const auto next_line = [&](std::string &line) {
        const auto end = text.find('\n', at);
        if (end == std::string::npos) throw std::runtime_error(path + ": the header block has no end (an empty line)");
        line = text.substr(at, end - at);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        at = end + 1;
    };
    std::string line;
    next_line(line);
    if (!line.starts_with("HTTP/1.") || line.size() < 12)
        throw std::runtime_error(path + ":1: expected a status line such as 'HTTP/1.1 200 OK'");
    try {
        reply.status = std::stoi(line.substr(9, 3));
    } catch (const std::exception &) {
        throw std::runtime_error(path + ":1: no status code in '" + line + "'");
    }
    int number = 1;
    for (next_line(line); !line.empty(); next_line(line)) {
        ++number;
        const auto colon = line.find(':');
        if (colon == std::string::npos || colon == 0)
            throw std::runtime_error(path + ":" + std::to_string(number) + ": expected 'Name: value'");
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        reply.headers.emplace_back(line.substr(0, colon), value);
    }
    reply.body = text.substr(at);
    return reply;
}

} // namespace helix::plugin_check
