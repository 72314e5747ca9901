#include "daemon/api/chat_request.hpp"

#include "daemon/api/errors.hpp"
#include "daemon/api/json_fields.hpp"
#include "daemon/api/media_source.hpp"
#include "daemon/api/response_common.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <charconv>
#include <cmath>
#include <deque>
#include <exception>
#include <limits>
#include <new>
#include <vector>

namespace helix::api {

namespace json = boost::json;
using namespace fields; // NOLINT: the field checks are this parser's vocabulary

struct ChatRequest::Impl {
    std::string body;
    json::value doc;               // the parsed body; view() strings point into it
    std::deque<std::string> texts; // JSON text serialised from the document, decoded bytes (stable addresses)
    std::vector<helix_message> messages;
    std::vector<helix_content_part> parts;
    std::vector<helix_tool_call> tool_calls;
    std::vector<helix_reasoning_block> reasoning;
    std::vector<helix_tool> tools;
    std::vector<helix_str> stop;
    // The arrays of pointers the ABI hands out (one per element above).
    std::vector<const helix_message *> message_ptrs;
    std::vector<const helix_content_part *> part_ptrs;
    std::vector<const helix_tool_call *> tool_call_ptrs;
    std::vector<const helix_reasoning_block *> reasoning_ptrs;
    std::vector<const helix_tool *> tool_ptrs;
    std::string_view client_model;
    std::string upstream_model;
    std::uint32_t capabilities = 0;
    helix_chat_request view{};
};

namespace {

helix_str str_of(std::string_view s) noexcept { return helix_str{s.data(), s.size()}; }
helix_str str_of(const json::string &s) noexcept { return helix_str{s.data(), s.size()}; }
std::string_view sv(const json::string &s) noexcept { return {s.data(), s.size()}; }

const helix_chat_request &empty_view() noexcept {
    static const helix_chat_request kEmpty = [] {
        helix_chat_request r{};
        r.struct_size = sizeof(helix_chat_request);
        r.parallel_tool_calls = -1;
        r.n = 1;
        return r;
    }();
    return kEmpty;
}

bool is_name(std::string_view name) noexcept { // ^[a-zA-Z0-9_-]{1,64}$
    if (name.empty() || name.size() > 64) return false;
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                        c == '-';
        if (!ok) return false;
    }
    return true;
}

void check_name(const json::string &name, const Path &path) {
    if (!is_name(sv(name))) {
        fail(path,
             "Invalid '" + path.str() + "': " + quoted(sv(name)) +
                 " does not match the pattern '^[a-zA-Z0-9_-]{1,64}$' (letters, digits, underscores and dashes, at "
                 "most 64).",
             "invalid_value");
    }
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) noexcept {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != prefix[i]) return false;
    }
    return true;
}

bool is_base64(std::string_view s) noexcept {
    std::size_t padding = 0;
    for (const char c : s) {
        if (c == '=') {
            ++padding;
            continue;
        }
        if (padding > 0) return false; // data after padding
        const bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
        if (!ok) return false;
    }
    return padding <= 2;
}

// A prompt-cache breakpoint as Anthropic writes it, on a content part, a
// message or a tool: {"type": "ephemeral"} with an optional "ttl" of "5m" or
// "1h". Providers without explicit caching ignore it.
std::uint32_t cache_control(const json::object &holder, const Path &holder_path) {
    const json::value *v = optional(holder, "cache_control");
    if (v == nullptr) return HELIX_CACHE_NONE;
    const Path path = holder_path.child("cache_control");
    const json::object &cc = as_object(*v, path);
    const Path type_path = path.child("type");
    const std::string_view type = sv(as_string(required(cc, "type", type_path), type_path));
    if (type != "ephemeral") fail_value(type_path, type, {"ephemeral"});
    if (const json::value *t = optional(cc, "ttl")) {
        const Path ttl_path = path.child("ttl");
        const std::string_view ttl = sv(as_string(*t, ttl_path));
        if (ttl == "1h") return HELIX_CACHE_EPHEMERAL_1H;
        if (ttl != "5m") fail_value(ttl_path, ttl, {"5m", "1h"});
    }
    return HELIX_CACHE_EPHEMERAL;
}

// https://..., http://..., or data:image/<type>;base64,<data>
void check_image_url(const json::string &url, const Path &path) {
    const std::string_view u = sv(url);
    if ((starts_with_nocase(u, "https://") && u.size() > 8) || (starts_with_nocase(u, "http://") && u.size() > 7)) {
        return;
    }
    if (starts_with_nocase(u, "data:")) {
        const std::size_t comma = u.find(',');
        const std::string_view meta = comma == std::string_view::npos ? u.substr(5) : u.substr(5, comma - 5);
        const bool image = starts_with_nocase(meta, "image/") && meta.size() > 6;
        const bool base64 = meta.size() >= 7 && meta.substr(meta.size() - 7) == ";base64";
        if (comma != std::string_view::npos && image && base64 && comma + 1 < u.size() &&
            is_base64(u.substr(comma + 1))) {
            return;
        }
        fail(path,
             "Invalid '" + path.str() +
                 "': expected a base64-encoded data URL with an image MIME type (e.g. "
                 "'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), but got a value that is not one.",
             "invalid_value");
    }
    fail(path,
         "Invalid '" + path.str() + "': expected an https:// or http:// URL, or a data URL such as "
                                    "'data:image/png;base64,...', but got " +
             quoted(u) + ".",
         "invalid_value");
}

// JSON the parser serialises again (tool parameters, response schemas) must
// not hold numbers Boost.JSON read as infinity (1e400): they would be written
// back as invalid JSON.
void check_finite(const json::value &v, const Path &path) {
    if (!detail::all_finite(v)) {
        fail(path,
             "Invalid '" + path.str() + "': it contains a number too large to represent (e.g. 1e400). Use a "
                                        "smaller number.",
             "invalid_value");
    }
}

} // namespace

// Walks the document, filling an Impl. A class so that it can reach
// ChatRequest's private constructor (it is a friend).
class ChatRequestParser {
public:
    static ParseResult run(std::string body);

private:
    explicit ChatRequestParser(ChatRequest::Impl &impl) : r_(impl) {}

    void top_level(const json::object &root);
    void message(const json::value &v, const Path &path);
    void content(const json::value &v, const Path &path, std::uint32_t role, helix_message &out);
    void document(const json::object &p, const Path &path, helix_content_part &part);
    void tool_calls(const json::value &v, const Path &path, helix_message &out);
    void reasoning_details(const json::value &v, const Path &path, helix_message &out);
    void reasoning_effort(const json::object &root, const Path &top);
    void tools(const json::value &v, const Path &path);
    void tool_choice(const json::value &v, const Path &path, const json::object &root);
    void stop(const json::value &v, const Path &path);
    void response_format(const json::value &v, const Path &path);
    void link();

    const std::string &keep(std::string text) { return r_.texts.emplace_back(std::move(text)); }

    ChatRequest::Impl &r_;
    // Where each message's parts / tool calls start in the flat arrays; the
    // pointers are set by link() once the arrays no longer grow.
    std::vector<std::size_t> part_start_;
    std::vector<std::size_t> call_start_;
    std::vector<std::size_t> reasoning_start_;
};

ParseResult ChatRequestParser::run(std::string body) {
    return guarded<ParseResult>([&]() -> ParseResult {
        auto impl = std::make_unique<ChatRequest::Impl>();
        impl->body = std::move(body);

        impl->doc = fields::parse_body(impl->body); // an object, or it threw
        ChatRequestParser p(*impl);
        p.top_level(impl->doc.get_object());
        p.link();
        return ChatRequest(std::move(impl));
    });
}

void ChatRequestParser::top_level(const json::object &root) {
    helix_chat_request &v = r_.view;
    v.struct_size = sizeof(helix_chat_request);
    v.parallel_tool_calls = -1;
    v.n = 1;
    const Path top;

    r_.client_model = model_field(root, top);

    // messages
    {
        const Path path = top.child("messages");
        const json::array &messages = non_empty_array(required(root, "messages", path), path, "at least one message");
        r_.messages.reserve(messages.size());
        part_start_.reserve(messages.size());
        call_start_.reserve(messages.size());
        reasoning_start_.reserve(messages.size());
        for (std::size_t i = 0; i < messages.size(); ++i) message(messages[i], path.at(i));
    }

    // tools, tool_choice, parallel_tool_calls
    if (const json::value *t = optional(root, "tools")) tools(*t, top.child("tools"));
    if (const json::value *c = optional(root, "tool_choice")) tool_choice(*c, top.child("tool_choice"), root);
    if (const json::value *p = optional(root, "parallel_tool_calls")) {
        v.parallel_tool_calls = as_bool(*p, top.child("parallel_tool_calls")) ? 1 : 0;
    }

    // stream, stream_options
    if (const json::value *s = optional(root, "stream")) v.stream = as_bool(*s, top.child("stream")) ? 1 : 0;
    if (const json::value *so = optional(root, "stream_options")) {
        const Path path = top.child("stream_options");
        const json::object &options = as_object(*so, path);
        if (v.stream == 0) {
            fail(path, "The 'stream_options' parameter is only allowed when 'stream' is enabled.", "invalid_value");
        }
        if (const json::value *iu = optional(options, "include_usage")) {
            v.include_usage = as_bool(*iu, path.child("include_usage")) ? 1 : 0;
        }
    }

    // max_tokens / max_completion_tokens (both checked; the newer name wins)
    constexpr std::int64_t kIntMax = std::numeric_limits<std::int64_t>::max();
    if (const json::value *m = optional(root, "max_tokens")) {
        v.max_tokens = as_integer_in(*m, top.child("max_tokens"), 1, kIntMax);
        v.present |= HELIX_HAS_MAX_TOKENS;
    }
    if (const json::value *m = optional(root, "max_completion_tokens")) {
        v.max_tokens = as_integer_in(*m, top.child("max_completion_tokens"), 1, kIntMax);
        v.present |= HELIX_HAS_MAX_TOKENS;
    }
    if (const json::value *t = optional(root, "temperature")) {
        v.temperature = as_number_in(*t, top.child("temperature"), 0.0, 2.0);
        v.present |= HELIX_HAS_TEMPERATURE;
    }
    if (const json::value *t = optional(root, "top_p")) {
        v.top_p = as_number_in(*t, top.child("top_p"), 0.0, 1.0);
        v.present |= HELIX_HAS_TOP_P;
    }
    if (const json::value *s = optional(root, "stop")) stop(*s, top.child("stop"));
    if (const json::value *n = optional(root, "n")) {
        v.n = static_cast<std::uint32_t>(as_integer_in(*n, top.child("n"), 1, kMaxN));
    }
    if (const json::value *f = optional(root, "response_format")) response_format(*f, top.child("response_format"));
    if (const json::value *s = optional(root, "seed")) {
        v.seed = as_integer_in(*s, top.child("seed"), std::numeric_limits<std::int64_t>::min(), kIntMax);
        v.present |= HELIX_HAS_SEED;
    }
    if (const json::value *u = optional(root, "user")) v.user = str_of(as_string(*u, top.child("user")));
    reasoning_effort(root, top);

    if (v.stream != 0) r_.capabilities |= HELIX_MODEL_STREAMING;
    if (v.n > 1) r_.capabilities |= HELIX_MODEL_MULTIPLE_CHOICES;
    if (!r_.tools.empty()) r_.capabilities |= HELIX_MODEL_TOOLS;
}

void ChatRequestParser::message(const json::value &value, const Path &path) {
    const json::object &m = as_object(value, path);
    helix_message out{};
    out.struct_size = sizeof(helix_message);
    part_start_.push_back(r_.parts.size());
    call_start_.push_back(r_.tool_calls.size());
    reasoning_start_.push_back(r_.reasoning.size());

    const Path role_path = path.child("role");
    const std::string_view role = sv(as_string(required(m, "role", role_path), role_path));
    if (role == "system") {
        out.role = HELIX_ROLE_SYSTEM;
    } else if (role == "developer") {
        out.role = HELIX_ROLE_DEVELOPER;
    } else if (role == "user") {
        out.role = HELIX_ROLE_USER;
    } else if (role == "assistant") {
        out.role = HELIX_ROLE_ASSISTANT;
    } else if (role == "tool") {
        out.role = HELIX_ROLE_TOOL;
    } else {
        fail_value(role_path, role, {"system", "developer", "user", "assistant", "tool"});
    }

    if (const json::value *name = optional(m, "name")) out.name = str_of(as_string(*name, path.child("name")));
    out.cache_control = cache_control(m, path);

    if (out.role == HELIX_ROLE_ASSISTANT) {
        if (const json::value *calls = optional(m, "tool_calls")) tool_calls(*calls, path.child("tool_calls"), out);
        if (const json::value *details = optional(m, "reasoning_details")) {
            reasoning_details(*details, path.child("reasoning_details"), out);
        }
    }
    if (out.role == HELIX_ROLE_TOOL) {
        const Path id_path = path.child("tool_call_id");
        out.tool_call_id = str_of(as_string(required(m, "tool_call_id", id_path), id_path));
        r_.capabilities |= HELIX_MODEL_TOOLS;
    }

    const Path content_path = path.child("content");
    const json::value *c = optional(m, "content");
    if (c != nullptr) {
        content(*c, content_path, out.role, out);
    } else if (!(out.role == HELIX_ROLE_ASSISTANT && out.tool_call_count > 0)) {
        // Only an assistant message that made tool calls may go without content.
        const json::value *given = m.if_contains("content");
        if (given != nullptr) {
            fail_type(content_path,
                      out.role == HELIX_ROLE_ASSISTANT
                          ? "a string or an array of content parts (content may be null only with tool_calls)"
                          : "a string or an array of content parts",
                      *given);
        }
        fail_missing(content_path);
    }
    r_.messages.push_back(out);
}

void ChatRequestParser::content(const json::value &v, const Path &path, std::uint32_t role, helix_message &out) {
    if (const auto *text = v.if_string()) {
        out.text = str_of(*text);
        return;
    }
    if (!v.is_array()) fail_type(path, "a string or an array of content parts", v);
    const json::array &parts = non_empty_array(v, path, "at least one content part");
    std::size_t count = 0;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const Path part_path = path.at(i);
        const json::object &p = as_object(parts[i], part_path);
        const Path type_path = part_path.child("type");
        const std::string_view type = sv(as_string(required(p, "type", type_path), type_path));
        helix_content_part part{};
        part.struct_size = sizeof(helix_content_part);
        // An assistant's refusal part is what it said: kept as text.
        if (type == "text" || (type == "refusal" && role == HELIX_ROLE_ASSISTANT)) {
            const Path text_path = part_path.child(type);
            part.type = HELIX_PART_TEXT;
            part.text = str_of(as_string(required(p, type, text_path), text_path));
        } else if (type == "image_url") {
            if (role != HELIX_ROLE_USER) {
                fail(type_path,
                     "Invalid '" + type_path.str() + "': image_url parts are only allowed in messages with role "
                                                     "'user'. Use a text part here.",
                     "invalid_value");
            }
            const Path image_path = part_path.child("image_url");
            const json::object &image = as_object(required(p, "image_url", image_path), image_path);
            const Path url_path = image_path.child("url");
            const json::string &url = as_string(required(image, "url", url_path), url_path);
            check_image_url(url, url_path);
            part.type = HELIX_PART_IMAGE_URL;
            part.image_url = str_of(url);
            if (const json::value *d = optional(image, "detail")) {
                const Path detail_path = image_path.child("detail");
                const std::string_view detail = sv(as_string(*d, detail_path));
                if (detail != "auto" && detail != "low" && detail != "high") {
                    fail_value(detail_path, detail, {"auto", "low", "high"});
                }
                part.detail = str_of(detail);
            }
            r_.capabilities |= HELIX_MODEL_VISION;
        } else if (type == "file" && role == HELIX_ROLE_USER) {
            document(p, part_path, part);
        } else if (role == HELIX_ROLE_USER) {
            if (type == "input_audio") {
                fail(type_path,
                     "Invalid value for '" + type_path.str() + "': " + quoted(type) +
                         " content parts are not supported by this gateway. Supported values are: 'text', "
                         "'image_url' and 'file'.",
                     "unsupported_value");
            }
            fail_value(type_path, type, {"text", "image_url", "file"});
        } else if (role == HELIX_ROLE_ASSISTANT) {
            fail_value(type_path, type, {"text", "refusal"});
        } else {
            fail_value(type_path, type, {"text"});
        }
        part.cache_control = cache_control(p, part_path);
        r_.parts.push_back(part);
        ++count;
    }
    out.part_count = count;
}

// {"type": "file", "file": {...}}: exactly one of file_data (a base64 data:
// URL, decoded here), file_id (a provider's file: an id, gs://, s3://, or an
// http(s) URL) and file_url (an http(s), gs:// or s3:// URL, as the Responses
// API's input_file has it); filename, and format (a media type, for a file
// whose URL does not say it) optional.
void ChatRequestParser::document(const json::object &p, const Path &part_path, helix_content_part &part) {
    const Path file_path = part_path.child("file");
    const json::object &file = as_object(required(p, "file", file_path), file_path);
    part.type = HELIX_PART_DOCUMENT;
    if (const json::value *n = optional(file, "filename")) part.filename = str_of(as_string(*n, file_path.child("filename")));
    if (const json::value *f = optional(file, "format")) {
        const Path format_path = file_path.child("format");
        const json::string &format = as_string(*f, format_path);
        if (!is_media_type(sv(format)))
            fail(format_path, "Invalid '" + format_path.str() + "': expected a media type such as 'application/pdf', but got " +
                                  quoted(sv(format)) + ".",
                 "invalid_value");
        part.media_type = str_of(format);
    }
    const json::value *data = optional(file, "file_data");
    const json::value *id = optional(file, "file_id");
    const json::value *url = optional(file, "file_url");
    const int given = (data != nullptr ? 1 : 0) + (id != nullptr ? 1 : 0) + (url != nullptr ? 1 : 0);
    if (given != 1) {
        fail(file_path,
             "Invalid '" + file_path.str() + "': give exactly one of 'file_data' (a data: URL such as "
                                             "'data:application/pdf;base64,...'), 'file_id' or 'file_url'.",
             given == 0 ? "missing_required_parameter" : "invalid_value");
    }
    if (data != nullptr) {
        const Path data_path = file_path.child("file_data");
        auto decoded = decode_data_url(sv(as_string(*data, data_path)));
        if (!decoded) {
            fail(data_path,
                 "Invalid '" + data_path.str() + "': expected a base64-encoded data URL with a MIME type (e.g. "
                                                 "'data:application/pdf;base64,JVBERi0xLjQK'), but got a value that is "
                                                 "not one.",
                 "invalid_value");
        }
        part.source = HELIX_SOURCE_BYTES;
        part.media_type = str_of(keep(std::move(decoded->media_type)));
        const std::string &bytes = keep(std::move(decoded->bytes));
        part.data = reinterpret_cast<const std::uint8_t *>(bytes.data());
        part.data_len = bytes.size();
    } else {
        const Path uri_path = file_path.child(id != nullptr ? "file_id" : "file_url");
        const json::string &uri = non_empty_string(id != nullptr ? *id : *url, uri_path);
        if (is_provider_file_uri(sv(uri))) {
            part.source = HELIX_SOURCE_FILE_URI;
        } else if (is_http_url(sv(uri))) {
            part.source = HELIX_SOURCE_URL;
        } else if (id != nullptr) {
            part.source = HELIX_SOURCE_FILE_URI; // a provider's own file id
        } else {
            fail(uri_path,
                 "Invalid '" + uri_path.str() + "': expected an https://, http://, gs:// or s3:// URL, but got " +
                     quoted(sv(uri)) + ".",
                 "invalid_value");
        }
        part.uri = str_of(uri);
    }
    r_.capabilities |= HELIX_MODEL_DOCUMENTS;
}

void ChatRequestParser::tool_calls(const json::value &v, const Path &path, helix_message &out) {
    const json::array &calls = non_empty_array(v, path, "at least one tool call");
    for (std::size_t i = 0; i < calls.size(); ++i) {
        const Path call_path = path.at(i);
        const json::object &c = as_object(calls[i], call_path);
        helix_tool_call call{};
        call.struct_size = sizeof(helix_tool_call);
        const Path id_path = call_path.child("id");
        call.id = str_of(as_string(required(c, "id", id_path), id_path));
        const Path type_path = call_path.child("type");
        const std::string_view type = sv(as_string(required(c, "type", type_path), type_path));
        if (type != "function") fail_value(type_path, type, {"function"});
        const Path fn_path = call_path.child("function");
        const json::object &fn = as_object(required(c, "function", fn_path), fn_path);
        const Path name_path = fn_path.child("name");
        call.name = str_of(as_string(required(fn, "name", name_path), name_path));
        const Path args_path = fn_path.child("arguments");
        call.arguments = str_of(as_string(required(fn, "arguments", args_path), args_path));
        r_.tool_calls.push_back(call);
    }
    out.tool_call_count = calls.size();
    r_.capabilities |= HELIX_MODEL_TOOLS;
}

// The reasoning an earlier assistant turn returned (see README, "Reasoning"):
// reasoning.text entries become text blocks (text + signature),
// reasoning.encrypted ones redacted blocks, or, with an "id", the signature of
// that tool call of the message; other types (reasoning.summary) are shown
// only and ignored here. Every string is kept byte for byte.
void ChatRequestParser::reasoning_details(const json::value &v, const Path &path, helix_message &out) {
    if (!v.is_array()) fail_type(path, "an array of reasoning details", v);
    const json::array &list = v.get_array();
    const std::size_t first_call = r_.tool_calls.size() - out.tool_call_count;
    std::size_t count = 0;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const Path entry_path = path.at(i);
        const json::object &d = as_object(list[i], entry_path);
        const Path type_path = entry_path.child("type");
        const std::string_view type = sv(as_string(required(d, "type", type_path), type_path));
        const auto text_of = [&](std::string_view key) -> helix_str {
            const json::value *member = optional(d, key);
            return member == nullptr ? helix_str{} : str_of(as_string(*member, entry_path.child(key)));
        };
        helix_reasoning_block block{};
        block.struct_size = sizeof(helix_reasoning_block);
        block.format = text_of("format");
        if (type == "reasoning.text") {
            block.kind = HELIX_REASONING_TEXT;
            block.text = text_of("text");
            block.signature = text_of("signature");
        } else if (type == "reasoning.encrypted") {
            const Path data_path = entry_path.child("data");
            const helix_str data = str_of(as_string(required(d, "data", data_path), data_path));
            if (const json::value *id = optional(d, "id")) {
                const std::string_view call_id = sv(as_string(*id, entry_path.child("id")));
                bool found = false;
                for (std::size_t c = first_call; c < r_.tool_calls.size(); ++c) {
                    helix_tool_call &call = r_.tool_calls[c];
                    if (std::string_view(call.id.data, call.id.len) != call_id) continue;
                    call.signature = data;
                    found = true;
                }
                if (!found) {
                    fail(entry_path.child("id"),
                         "Invalid '" + entry_path.child("id").str() + "': " + quoted(call_id) +
                             " is not the id of a tool call of this message.",
                         "invalid_value");
                }
                continue;
            }
            block.kind = HELIX_REASONING_REDACTED;
            block.redacted_data = data;
        } else {
            continue; // reasoning.summary and newer types: nothing to send back
        }
        r_.reasoning.push_back(block);
        ++count;
    }
    out.reasoning_count = count;
}

void ChatRequestParser::reasoning_effort(const json::object &root, const Path &top) {
    helix_chat_request &view = r_.view;
    if (const json::value *e = optional(root, "reasoning_effort")) {
        const Path path = top.child("reasoning_effort");
        const std::string_view effort = sv(as_string(*e, path));
        if (effort == "minimal") {
            view.reasoning_effort = HELIX_EFFORT_MINIMAL;
        } else if (effort == "low") {
            view.reasoning_effort = HELIX_EFFORT_LOW;
        } else if (effort == "medium") {
            view.reasoning_effort = HELIX_EFFORT_MEDIUM;
        } else if (effort == "high") {
            view.reasoning_effort = HELIX_EFFORT_HIGH;
        } else if (effort != "none") { // none: no reasoning, as unset
            fail_value(path, effort, {"none", "minimal", "low", "medium", "high"});
        }
    }
    // Anthropic's own shape, for a client that wants an exact budget:
    // "thinking": {"type": "enabled", "budget_tokens": N}.
    if (const json::value *t = optional(root, "thinking")) {
        const Path path = top.child("thinking");
        const json::object &thinking = as_object(*t, path);
        const Path type_path = path.child("type");
        const std::string_view type = sv(as_string(required(thinking, "type", type_path), type_path));
        if (type == "enabled") {
            const Path budget_path = path.child("budget_tokens");
            view.reasoning_budget_tokens = as_integer_in(required(thinking, "budget_tokens", budget_path), budget_path,
                                                         1, std::numeric_limits<std::int32_t>::max());
            view.present |= HELIX_HAS_REASONING_BUDGET;
        } else if (type != "disabled") {
            fail_value(type_path, type, {"enabled", "disabled"});
        }
    }
}

void ChatRequestParser::tools(const json::value &v, const Path &path) {
    const json::array &list = non_empty_array(v, path, "at least one tool; leave 'tools' out for none");
    r_.tools.reserve(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
        const Path tool_path = path.at(i);
        const json::object &t = as_object(list[i], tool_path);
        const Path type_path = tool_path.child("type");
        const std::string_view type = sv(as_string(required(t, "type", type_path), type_path));
        if (type != "function") fail_value(type_path, type, {"function"});
        const Path fn_path = tool_path.child("function");
        const json::object &fn = as_object(required(t, "function", fn_path), fn_path);
        helix_tool tool{};
        tool.struct_size = sizeof(helix_tool);
        const Path name_path = fn_path.child("name");
        const json::string &name = as_string(required(fn, "name", name_path), name_path);
        check_name(name, name_path);
        tool.name = str_of(name);
        if (const json::value *d = optional(fn, "description")) {
            tool.description = str_of(as_string(*d, fn_path.child("description")));
        }
        if (const json::value *p = optional(fn, "parameters")) {
            const json::object &schema = as_object(*p, fn_path.child("parameters"));
            check_finite(*p, fn_path.child("parameters"));
            tool.parameters_json = str_of(keep(json::serialize(schema)));
        }
        if (const json::value *s = optional(fn, "strict")) tool.strict = as_bool(*s, fn_path.child("strict")) ? 1 : 0;
        tool.cache_control = cache_control(t, tool_path);
        r_.tools.push_back(tool);
    }
}

void ChatRequestParser::tool_choice(const json::value &v, const Path &path, const json::object &root) {
    helix_chat_request &view = r_.view;
    if (optional(root, "tools") == nullptr) {
        fail(path, "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
             "invalid_value");
    }
    if (const auto *s = v.if_string()) {
        const std::string_view choice = sv(*s);
        if (choice == "none") {
            view.tool_choice = HELIX_TOOL_CHOICE_NONE;
        } else if (choice == "auto") {
            view.tool_choice = HELIX_TOOL_CHOICE_AUTO;
        } else if (choice == "required") {
            view.tool_choice = HELIX_TOOL_CHOICE_REQUIRED;
        } else {
            fail_value(path, choice, {"none", "auto", "required"});
        }
        return;
    }
    if (!v.is_object()) {
        fail_type(path, "a string ('none', 'auto', 'required') or an object naming a function", v);
    }
    const json::object &o = v.get_object();
    const Path type_path = path.child("type");
    const std::string_view type = sv(as_string(required(o, "type", type_path), type_path));
    if (type != "function") fail_value(type_path, type, {"function"});
    const Path fn_path = path.child("function");
    const json::object &fn = as_object(required(o, "function", fn_path), fn_path);
    const Path name_path = fn_path.child("name");
    const std::string_view name = sv(as_string(required(fn, "name", name_path), name_path));
    bool known = false;
    for (const helix_tool &tool : r_.tools) {
        if (std::string_view(tool.name.data, tool.name.len) == name) known = true;
    }
    if (!known) {
        fail(name_path,
             "Invalid value for '" + name_path.str() + "': " + quoted(name) +
                 " is not the name of a function in 'tools'.",
             "invalid_value");
    }
    view.tool_choice = HELIX_TOOL_CHOICE_NAMED;
    view.tool_choice_name = str_of(name);
}

void ChatRequestParser::stop(const json::value &v, const Path &path) {
    if (const auto *s = v.if_string()) {
        r_.stop.push_back(str_of(*s));
        return;
    }
    if (!v.is_array()) fail_type(path, "a string or an array of strings", v);
    const json::array &list = v.get_array();
    if (list.size() > kMaxStop) {
        fail(path,
             "Invalid '" + path.str() + "': array too long. Expected an array with maximum length " +
                 std::to_string(kMaxStop) + ", but got an array with length " + std::to_string(list.size()) +
                 " instead.",
             "array_above_max_length");
    }
    for (std::size_t i = 0; i < list.size(); ++i) r_.stop.push_back(str_of(as_string(list[i], path.at(i))));
}

void ChatRequestParser::response_format(const json::value &v, const Path &path) {
    helix_chat_request &view = r_.view;
    const json::object &f = as_object(v, path);
    const Path type_path = path.child("type");
    const std::string_view type = sv(as_string(required(f, "type", type_path), type_path));
    if (type == "text") {
        view.response_format = HELIX_FORMAT_TEXT;
    } else if (type == "json_object") {
        view.response_format = HELIX_FORMAT_JSON_OBJECT;
    } else if (type == "json_schema") {
        const Path schema_path = path.child("json_schema");
        const json::object &js = as_object(required(f, "json_schema", schema_path), schema_path);
        const Path name_path = schema_path.child("name");
        check_name(as_string(required(js, "name", name_path), name_path), name_path);
        if (const json::value *d = optional(js, "description")) as_string(*d, schema_path.child("description"));
        if (const json::value *s = optional(js, "schema")) as_object(*s, schema_path.child("schema"));
        if (const json::value *s = optional(js, "strict")) as_bool(*s, schema_path.child("strict"));
        check_finite(required(f, "json_schema", schema_path), schema_path);
        view.response_format = HELIX_FORMAT_JSON_SCHEMA;
        view.response_schema_json = str_of(keep(json::serialize(js)));
    } else {
        fail_value(type_path, type, {"text", "json_object", "json_schema"});
    }
}

// The flat arrays are complete: point the messages and the view into them.
void ChatRequestParser::link() {
    const auto pointers = [](const auto &items, auto &out) {
        out.reserve(items.size());
        for (const auto &item : items) out.push_back(&item);
    };
    pointers(r_.messages, r_.message_ptrs);
    pointers(r_.parts, r_.part_ptrs);
    pointers(r_.tool_calls, r_.tool_call_ptrs);
    pointers(r_.reasoning, r_.reasoning_ptrs);
    pointers(r_.tools, r_.tool_ptrs);
    for (std::size_t i = 0; i < r_.messages.size(); ++i) {
        helix_message &m = r_.messages[i];
        m.parts = m.part_count > 0 ? r_.part_ptrs.data() + part_start_[i] : nullptr;
        m.tool_calls = m.tool_call_count > 0 ? r_.tool_call_ptrs.data() + call_start_[i] : nullptr;
        m.reasoning = m.reasoning_count > 0 ? r_.reasoning_ptrs.data() + reasoning_start_[i] : nullptr;
    }
    helix_chat_request &v = r_.view;
    v.model = str_of(r_.client_model);
    v.messages = r_.message_ptrs.data();
    v.message_count = r_.messages.size();
    v.tools = r_.tools.empty() ? nullptr : r_.tool_ptrs.data();
    v.tool_count = r_.tools.size();
    v.stop = r_.stop.empty() ? nullptr : r_.stop.data();
    v.stop_count = r_.stop.size();
    v.original_body = str_of(r_.body);
}

// --- ChatRequest ----------------------------------------------------------------

ChatRequest::ChatRequest(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
ChatRequest::ChatRequest(ChatRequest &&) noexcept = default;
ChatRequest &ChatRequest::operator=(ChatRequest &&) noexcept = default;
ChatRequest::~ChatRequest() = default;

const helix_chat_request &ChatRequest::view() const noexcept { return impl_ ? impl_->view : empty_view(); }

std::string_view ChatRequest::model() const noexcept { return impl_ ? impl_->client_model : std::string_view(); }

std::string_view ChatRequest::upstream_model() const noexcept {
    if (!impl_) return {};
    return {impl_->view.model.data, impl_->view.model.len};
}

void ChatRequest::set_upstream_model(std::string model) {
    if (!impl_) return;
    impl_->upstream_model = std::move(model);
    impl_->view.model = str_of(impl_->upstream_model);
}

void ChatRequest::inline_part(std::size_t message, std::size_t part, std::string media_type, std::string bytes) {
    if (!impl_ || message >= impl_->messages.size()) return;
    const helix_message &m = impl_->messages[message];
    if (part >= m.part_count) return;
    // The part's pointer leads into the flat array this request owns.
    helix_content_part &p = impl_->parts[static_cast<std::size_t>(m.parts[part] - impl_->parts.data())];
    if (p.type == HELIX_PART_IMAGE_URL) {
        const std::string &url = impl_->texts.emplace_back("data:" + media_type + ";base64," + base64_encode(bytes));
        p.image_url = str_of(url);
    } else if (p.type == HELIX_PART_DOCUMENT && p.source == HELIX_SOURCE_URL) {
        p.source = HELIX_SOURCE_BYTES;
        p.media_type = str_of(impl_->texts.emplace_back(std::move(media_type)));
        const std::string &data = impl_->texts.emplace_back(std::move(bytes));
        p.data = reinterpret_cast<const std::uint8_t *>(data.data());
        p.data_len = data.size();
    }
}

bool ChatRequest::stream() const noexcept { return view().stream != 0; }
bool ChatRequest::include_usage() const noexcept { return view().include_usage != 0; }
std::uint32_t ChatRequest::n() const noexcept { return view().n; }
std::string_view ChatRequest::body() const noexcept { return impl_ ? std::string_view(impl_->body) : std::string_view(); }
std::uint32_t ChatRequest::required_capabilities() const noexcept { return impl_ ? impl_->capabilities : 0U; }

// --- parse_chat_request -----------------------------------------------------------

ParseResult parse_chat_request(std::string &&body) {
    try {
        return ChatRequestParser::run(std::move(body));
    } catch (...) {
        // run() catches everything itself; this only guards the result's construction.
        return internal_error("The gateway could not read the request.");
    }
}

ParseResult parse_chat_request(std::string_view body) {
    std::string copy;
    try {
        copy.assign(body);
    } catch (...) {
        return internal_error("The gateway ran out of memory while reading the request.");
    }
    return parse_chat_request(std::move(copy));
}

ParseResult parse_chat_request(const char *body) {
    return parse_chat_request(body == nullptr ? std::string_view() : std::string_view(body));
}

} // namespace helix::api
