#include "daemon/api/reasoning_details.hpp"

#include "daemon/api/response_common.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <openssl/evp.h>

namespace helix::api {

namespace json = boost::json;
using detail::to_view;

namespace {

ReasoningSlots::Slot take(std::map<std::uint32_t, std::size_t> &slots, std::uint32_t key, std::size_t &next) {
    const auto [it, first] = slots.try_emplace(key, next);
    if (first) ++next;
    return {it->second, first};
}

json::object entry_head(std::string_view type, std::size_t index, helix_str format) {
    json::object entry;
    entry["type"] = type;
    entry["index"] = index;
    if (format.len > 0) entry["format"] = detail::sanitize_utf8(to_view(format));
    return entry;
}

} // namespace

ReasoningSlots::Slot ReasoningSlots::block(std::uint32_t reasoning_index) { return take(blocks_, reasoning_index, next_); }
ReasoningSlots::Slot ReasoningSlots::tool(std::uint32_t tool_index) { return take(tools_, tool_index, next_); }

json::object reasoning_entry(const helix_event &event, std::size_t index) {
    if (event.reasoning_redacted_data.len > 0) {
        json::object entry = entry_head("reasoning.encrypted", index, event.reasoning_format);
        entry["data"] = detail::sanitize_utf8(to_view(event.reasoning_redacted_data));
        return entry;
    }
    json::object entry = entry_head("reasoning.text", index, event.reasoning_format);
    if (event.text.len > 0) entry["text"] = detail::sanitize_utf8(to_view(event.text));
    if (event.reasoning_signature.len > 0) entry["signature"] = detail::sanitize_utf8(to_view(event.reasoning_signature));
    return entry;
}

json::object tool_signature_entry(const helix_event &event, std::size_t index, std::string_view call_id) {
    json::object entry = entry_head("reasoning.encrypted", index, event.reasoning_format);
    entry["data"] = detail::sanitize_utf8(to_view(event.tool_signature));
    entry["id"] = call_id;
    return entry;
}

void merge_entry(json::object &whole, const json::object &piece) {
    for (const auto &member : piece) {
        const std::string_view key = member.key();
        json::value *have = whole.if_contains(key);
        const bool joined = key == "text" || key == "signature" || key == "data";
        if (joined && have != nullptr && have->is_string() && member.value().is_string()) {
            have->as_string().append(member.value().get_string());
        } else {
            whole[key] = member.value();
        }
    }
}

std::string encode_reasoning(const json::array &details) {
    const std::string text = json::serialize(details);
    std::string out(4 * ((text.size() + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char *>(out.data()),
                                  reinterpret_cast<const unsigned char *>(text.data()), static_cast<int>(text.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::optional<json::array> decode_reasoning(std::string_view content) {
    if (content.empty() || content.size() % 4 != 0 || content.size() > (1U << 30)) return std::nullopt;
    std::string bytes(content.size() / 4 * 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char *>(bytes.data()),
                                  reinterpret_cast<const unsigned char *>(content.data()), static_cast<int>(content.size()));
    if (n < 0) return std::nullopt;
    std::size_t size = static_cast<std::size_t>(n);
    for (std::size_t i = content.size(); i-- > 0 && content[i] == '=';) --size; // EVP counts the padding
    bytes.resize(size);
    boost::system::error_code ec;
    json::value v = json::parse(bytes, ec);
    if (ec || !v.is_array()) return std::nullopt;
    for (const json::value &entry : v.get_array())
        if (!entry.is_object()) return std::nullopt;
    return std::move(v.get_array());
}

} // namespace helix::api
