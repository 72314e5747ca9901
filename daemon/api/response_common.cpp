#include "daemon/api/response_common.hpp"

#include <boost/json/parse.hpp>

#include <array>
#include <cmath>
#include <system_error>

namespace helix::api::detail {

namespace json = boost::json;

std::string_view to_view(helix_str s) noexcept {
    if (s.data == nullptr) return {};
    return {s.data, s.len};
}

std::string_view finish_reason_name(std::uint32_t reason, bool has_tool_calls) noexcept {
    switch (reason) {
    case HELIX_FINISH_LENGTH:
        return "length";
    case HELIX_FINISH_TOOL_CALLS:
        return "tool_calls";
    case HELIX_FINISH_CONTENT_FILTER:
        return "content_filter";
    case HELIX_FINISH_NONE:
    case HELIX_FINISH_STOP:
    default:
        return has_tool_calls ? "tool_calls" : "stop";
    }
}

std::string synthesize_tool_call_id(std::string_view response_id, std::uint32_t choice, std::uint32_t tool_index) {
    std::uint64_t hash = 14695981039346656037ULL; // FNV-1a 64
    for (const char c : response_id) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ULL;
    }
    static constexpr std::array<char, 16> kHex{'0', '1', '2', '3', '4', '5', '6', '7',
                                               '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
    std::string id = "call_";
    for (int shift = 60; shift >= 0; shift -= 4) {
        id.push_back(kHex[static_cast<std::size_t>((hash >> shift) & 0xFU)]);
    }
    id += '_';
    id += std::to_string(choice);
    id += '_';
    id += std::to_string(tool_index);
    return id;
}

ExtraTarget place_extra(std::string_view name) noexcept {
    if (name.empty()) return {};
    constexpr std::string_view kResponsePrefix = "response.";
    bool response_level = false;
    if (name.starts_with(kResponsePrefix)) {
        name.remove_prefix(kResponsePrefix.size());
        response_level = true;
    } else if (name == "prompt_filter_results" || name == "prompt_annotations" || name == "system_fingerprint" ||
               name == "service_tier") {
        response_level = true;
    }
    if (name.empty()) return {};
    if (response_level) {
        if (name == "id" || name == "object" || name == "created" || name == "model" || name == "choices" ||
            name == "usage") {
            return {};
        }
        return {ExtraPlace::response, name};
    }
    if (name == "index" || name == "message" || name == "delta" || name == "logprobs" || name == "finish_reason") {
        return {};
    }
    return {ExtraPlace::choice, name};
}

bool all_finite(const json::value &value) noexcept {
    switch (value.kind()) {
    case json::kind::double_:
        return std::isfinite(value.get_double());
    case json::kind::array:
        for (const json::value &item : value.get_array()) {
            if (!all_finite(item)) return false;
        }
        return true;
    case json::kind::object:
        for (const auto &member : value.get_object()) {
            if (!all_finite(member.value())) return false;
        }
        return true;
    default:
        return true;
    }
}

std::optional<json::value> parse_extra(std::string_view text) {
    json::error_code ec;
    json::parse_options options;
    options.max_depth = 64;
    json::value value = json::parse(json::string_view(text.data(), text.size()), ec, {}, options);
    if (ec || !all_finite(value)) return std::nullopt;
    return value;
}

std::optional<Extra> read_extra(const helix_event &event) {
    const ExtraTarget target = place_extra(to_view(event.name));
    if (target.place == ExtraPlace::ignored) return std::nullopt;
    std::optional<json::value> value = parse_extra(to_view(event.json));
    if (!value) return std::nullopt;
    if (target.place == ExtraPlace::response && target.member == "system_fingerprint" && !value->is_string())
        return std::nullopt;
    return Extra{target.place, target.member, std::move(*value)};
}

json::object usage_object(const Usage &usage, json::storage_ptr storage) {
    json::object object(storage);
    object["prompt_tokens"] = usage.prompt_tokens;
    object["completion_tokens"] = usage.completion_tokens;
    object["total_tokens"] = usage.total_tokens();
    json::object details(std::move(storage));
    details["cached_tokens"] = usage.cached_tokens;
    object["prompt_tokens_details"] = std::move(details);
    return object;
}

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD"; // U+FFFD

// Length of the UTF-8 sequence that starts at s[0] if it is complete and
// valid; 0 if the bytes present so far are a valid but incomplete prefix of a
// sequence (only possible when the input ends); -1 if s[0] starts no valid
// sequence (the caller replaces that one byte).
int sequence_length(std::string_view s) noexcept {
    const auto b0 = static_cast<unsigned char>(s[0]);
    if (b0 < 0x80U) return 1;
    int need = 0;
    unsigned char lo = 0x80U;
    unsigned char hi = 0xBFU;
    if (b0 >= 0xC2U && b0 <= 0xDFU) {
        need = 2;
    } else if (b0 >= 0xE0U && b0 <= 0xEFU) {
        need = 3;
        if (b0 == 0xE0U) lo = 0xA0U; // no overlong forms
        if (b0 == 0xEDU) hi = 0x9FU; // no surrogates
    } else if (b0 >= 0xF0U && b0 <= 0xF4U) {
        need = 4;
        if (b0 == 0xF0U) lo = 0x90U;
        if (b0 == 0xF4U) hi = 0x8FU; // <= U+10FFFF
    } else {
        return -1;
    }
    for (int i = 1; i < need; ++i) {
        if (static_cast<std::size_t>(i) >= s.size()) return 0;
        const auto b = static_cast<unsigned char>(s[static_cast<std::size_t>(i)]);
        const unsigned char low = i == 1 ? lo : static_cast<unsigned char>(0x80U);
        const unsigned char high = i == 1 ? hi : static_cast<unsigned char>(0xBFU);
        if (b < low || b > high) return -1;
    }
    return need;
}

void append_valid(std::string &out, std::string_view in, std::string &carry) {
    std::size_t i = 0;
    std::size_t run = 0; // start of the current run of valid bytes
    while (i < in.size()) {
        const auto b = static_cast<unsigned char>(in[i]);
        if (b < 0x80U) { // ASCII fast path
            ++i;
            continue;
        }
        const int len = sequence_length(in.substr(i));
        if (len > 0) {
            i += static_cast<std::size_t>(len);
            continue;
        }
        out.append(in.substr(run, i - run));
        if (len == 0) { // incomplete at the end: hold it
            carry.assign(in.substr(i));
            return;
        }
        out.append(kReplacement);
        ++i;
        run = i;
    }
    out.append(in.substr(run));
}

} // namespace

void append_utf8(std::string &out, std::string_view in, std::string &carry) {
    if (carry.empty()) {
        append_valid(out, in, carry);
        return;
    }
    // Scanning the held bytes followed by `in` gives what one scan of the
    // whole text would: nothing before the held bytes depends on what follows.
    std::string joined = std::move(carry);
    carry.clear();
    joined.append(in);
    append_valid(out, joined, carry);
}

void flush_utf8(std::string &out, std::string &carry) {
    if (!carry.empty()) out.append(kReplacement);
    carry.clear();
}

std::string sanitize_utf8(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    std::string carry;
    append_utf8(out, in, carry);
    flush_utf8(out, carry);
    return out;
}

} // namespace helix::api::detail
