#include "daemon/audit/access_record.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace helix::audit {

namespace {

// RFC 3339 UTC with milliseconds, as journald and log shippers expect.
std::string utc_time(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    const auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
    const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char text[40];
    const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(text + n, sizeof text - n, ".%03dZ", static_cast<int>(ms % 1000));
    return text;
}

// One JSON object written field by field: strings escaped by Boost.JSON,
// numbers in plain decimal (Boost.JSON would write 0.0615 as 6.15E-2).
class JsonLine {
public:
    JsonLine &string(std::string_view key, std::string_view value) {
        name(key);
        text_ += boost::json::serialize(boost::json::string_view(value.data(), value.size()));
        return *this;
    }
    JsonLine &null(std::string_view key) {
        name(key);
        text_ += "null";
        return *this;
    }
    JsonLine &boolean(std::string_view key, bool value) {
        name(key);
        text_ += value ? "true" : "false";
        return *this;
    }
    JsonLine &integer(std::string_view key, std::int64_t value) {
        name(key);
        text_ += std::to_string(value);
        return *this;
    }
    // Fixed decimals, trailing zeros dropped: 0.061145, 0.01, 3.
    JsonLine &decimal(std::string_view key, double value, int decimals) {
        name(key);
        if (!std::isfinite(value)) value = 0;
        char digits[64];
        std::snprintf(digits, sizeof digits, "%.*f", decimals, value);
        std::string number = digits;
        if (number.find('.') != std::string::npos) {
            while (number.back() == '0') number.pop_back();
            if (number.back() == '.') number.pop_back();
        }
        if (number == "-0") number = "0";
        text_ += number;
        return *this;
    }
    JsonLine &raw(std::string_view key, const std::string &json) {
        name(key);
        text_ += json;
        return *this;
    }
    std::string close() { return text_ + "}"; }

private:
    void name(std::string_view key) {
        text_ += text_.size() > 1 ? ",\"" : "\"";
        text_ += key;
        text_ += "\":";
    }
    std::string text_ = "{";
};

constexpr int second_decimals = 6; // microseconds
constexpr int usd_decimals = 8;

} // namespace

void AccessRecord::add_completion_text(std::string_view text) {
    const std::size_t room = max_completion_bytes - std::min(completion.size(), max_completion_bytes);
    if (text.size() > room) {
        completion_truncated = true;
        text = text.substr(0, room);
    }
    completion.append(text);
}

std::string to_json_line(const AccessRecord &r, bool include_content) {
    JsonLine line;
    line.string("time", utc_time(r.time)).string("request_id", r.request_id).string("remote", r.remote);
    line.string("method", r.method).string("path", r.path);
    if (r.client.empty())
        line.null("client");
    else
        line.string("client", r.client);
    if (!r.model_asked.empty()) line.string("model_asked", r.model_asked).boolean("stream", r.stream);
    if (!r.provider.empty()) line.string("provider", r.provider).string("model", r.model);
    std::string attempts = "[";
    for (const auto &a : r.attempts) {
        JsonLine attempt;
        attempt.string("provider", a.provider).string("model", a.model).string("outcome", a.outcome);
        attempt.decimal("seconds", a.seconds, second_decimals);
        if (!a.error.empty()) attempt.string("error", a.error).integer("status", a.status);
        attempts += (attempts.size() > 1 ? "," : "") + attempt.close();
    }
    line.raw("attempts", attempts + "]");
    line.integer("status", r.status);
    if (r.tokens_in) line.integer("tokens_in", *r.tokens_in);
    if (r.tokens_out) line.integer("tokens_out", *r.tokens_out);
    if (r.cost_usd) line.decimal("cost_usd", *r.cost_usd, usd_decimals);
    if (r.latency_seconds) line.decimal("latency_seconds", *r.latency_seconds, second_decimals);
    if (r.first_token_seconds) line.decimal("first_token_seconds", *r.first_token_seconds, second_decimals);
    if (include_content) {
        line.string("request_body", r.request_body).string("completion", r.completion);
        if (r.completion_truncated) line.boolean("completion_truncated", true);
    }
    return line.close() + "\n";
}

} // namespace helix::audit
