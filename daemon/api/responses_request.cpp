#include "daemon/api/responses_request.hpp"

#include "daemon/api/media_source.hpp"
#include "daemon/api/reasoning_details.hpp"

#include "daemon/api/errors.hpp"
#include "daemon/api/json_fields.hpp"

#include <boost/json/serialize.hpp>

#include <limits>

namespace helix::api {

namespace {

namespace json = boost::json;
using namespace fields;

constexpr std::size_t kMaxMetadataKeys = 16;
constexpr std::size_t kMaxMetadataKey = 64;
constexpr std::size_t kMaxMetadataValue = 512;

[[noreturn]] void unsupported(const Path &path, std::string message) {
    fail(path, std::move(message), "unsupported_parameter");
}

// The body's items as the messages of a chat request.
class Translator {
public:
    json::object run(const json::object &root) {
        const Path top;
        for (std::string_view stateful : {"previous_response_id", "conversation"})
            if (optional(root, stateful) != nullptr)
                unsupported(top.child(stateful),
                            "'" + std::string(stateful) +
                                "' is not supported: this gateway is stateless and keeps no responses or "
                                "conversations. Send the whole conversation in 'input' instead.");
        if (const json::value *b = optional(root, "background"); b != nullptr && as_bool(*b, top.child("background")))
            unsupported(top.child("background"), "'background' responses are not supported: this gateway keeps no "
                                                 "responses to poll. Send the request without it.");
        if (optional(root, "prompt") != nullptr)
            unsupported(top.child("prompt"), "Stored prompt templates ('prompt') are not supported by this gateway; "
                                             "send the prompt's text in 'instructions' and 'input'.");

        chat_["model"] = model_field(root, top);
        if (const json::value *i = optional(root, "instructions")) {
            const json::string &text = as_string(*i, top.child("instructions"));
            messages_.push_back(json::object{{"role", "system"}, {"content", text}});
            echoed_["instructions"] = text;
        } else {
            echoed_["instructions"] = nullptr;
        }
        input(required(root, "input", top.child("input")), top.child("input"));
        if (messages_.empty())
            fail(top.child("input"), "Invalid 'input': it holds no message to answer.", "empty_array");
        chat_["messages"] = std::move(messages_);

        tools(root, top);
        text(root, top);
        reasoning(root, top);
        scalars(root, top);
        metadata(root, top);
        return std::move(chat_);
    }

    json::object echoed() { return std::move(echoed_); }

private:
    void input(const json::value &v, const Path &path) {
        if (const json::string *s = v.if_string()) {
            messages_.push_back(json::object{{"role", "user"}, {"content", *s}});
            return;
        }
        if (!v.is_array()) fail_type(path, "a string or an array of input items", v);
        const json::array &items = non_empty_array(v, path, "at least one input item");
        for (std::size_t i = 0; i < items.size(); ++i) item(items[i], path.at(i));
    }

    void item(const json::value &v, const Path &path) {
        const json::object &o = as_object(v, path);
        std::string_view type = "message";
        if (const json::value *t = optional(o, "type")) type = as_string(*t, path.child("type"));
        if (type == "message") {
            message(o, path);
        } else if (type == "function_call") {
            function_call(o, path);
        } else if (type == "function_call_output") {
            function_call_output(o, path);
        } else if (type == "reasoning") {
            reasoning_item(o, path);
        } else if (type == "item_reference") {
            unsupported(path.child("type"), "Invalid '" + path.child("type").str() +
                                                "': item references need stored items, which this stateless gateway "
                                                "does not keep. Send the item itself.");
        } else {
            unsupported(path.child("type"), "Invalid '" + path.child("type").str() + "': '" + std::string(type) +
                                                "' items are not supported by this gateway (supported: 'message', "
                                                "'function_call', 'function_call_output', 'reasoning').");
        }
    }

    void message(const json::object &o, const Path &path) {
        const Path role_path = path.child("role");
        const std::string_view role = as_string(required(o, "role", role_path), role_path);
        if (role != "user" && role != "assistant" && role != "system" && role != "developer")
            fail_value(role_path, role, {"user", "assistant", "system", "developer"});
        const Path content_path = path.child("content");
        const json::value &content = required(o, "content", content_path);
        json::object m{{"role", role}};
        if (const json::string *s = content.if_string()) {
            m["content"] = *s;
        } else {
            if (!content.is_array()) fail_type(content_path, "a string or an array of content parts", content);
            const json::array &parts = non_empty_array(content, content_path, "at least one content part");
            json::array out;
            std::string assistant_text;
            for (std::size_t i = 0; i < parts.size(); ++i) {
                json::object part = content_part(parts[i], content_path.at(i), role == "assistant");
                if (role == "assistant")
                    assistant_text += part["text"].as_string(); // assistant history is text only
                else
                    out.push_back(std::move(part));
            }
            if (role == "assistant")
                m["content"] = assistant_text;
            else
                m["content"] = std::move(out);
        }
        if (role == "assistant") take_pending_reasoning(m);
        messages_.push_back(std::move(m));
        open_assistant_ = role == "assistant";
    }

    json::object content_part(const json::value &v, const Path &path, bool assistant) {
        const json::object &o = as_object(v, path);
        const Path type_path = path.child("type");
        const std::string_view type = as_string(required(o, "type", type_path), type_path);
        if (type == "input_text" || type == "output_text" || type == "refusal") {
            const std::string_view key = type == "refusal" ? "refusal" : "text";
            const json::string &text = as_string(required(o, key, path.child(key)), path.child(key));
            return json::object{{"type", "text"}, {"text", text}};
        }
        if (type == "input_image") {
            if (assistant) fail(type_path, "Invalid '" + type_path.str() + "': an assistant message holds text only.",
                                "invalid_value");
            if (optional(o, "file_id") != nullptr && optional(o, "image_url") == nullptr)
                unsupported(path.child("file_id"), "Images by 'file_id' are not supported: this gateway has no "
                                                   "files. Send the image as 'image_url' (a URL or a data: URL).");
            const Path url_path = path.child("image_url");
            json::object image{{"url", non_empty_string(required(o, "image_url", url_path), url_path)}};
            if (const json::value *d = optional(o, "detail")) {
                const std::string_view detail = as_string(*d, path.child("detail"));
                if (detail != "auto" && detail != "low" && detail != "high")
                    fail_value(path.child("detail"), detail, {"auto", "low", "high"});
                image["detail"] = detail;
            }
            return json::object{{"type", "image_url"}, {"image_url", std::move(image)}};
        }
        if (type == "input_file") {
            if (assistant) fail(type_path, "Invalid '" + type_path.str() + "': an assistant message holds text only.",
                                "invalid_value");
            // Checked here so that errors name the Responses field.
            json::object file;
            int sources = 0;
            if (const json::value *d = optional(o, "file_data")) {
                if (!decode_data_url(non_empty_string(*d, path.child("file_data"))))
                    fail(path.child("file_data"), "Invalid '" + path.child("file_data").str() +
                                                      "': expected a base64-encoded data URL with a MIME type (e.g. "
                                                      "'data:application/pdf;base64,JVBERi0xLjQK').",
                         "invalid_value");
                file["file_data"] = *d;
                ++sources;
            }
            if (const json::value *id = optional(o, "file_id")) {
                file["file_id"] = non_empty_string(*id, path.child("file_id"));
                ++sources;
            }
            if (const json::value *u = optional(o, "file_url")) {
                const std::string_view url = non_empty_string(*u, path.child("file_url"));
                if (!is_http_url(url) && !is_provider_file_uri(url))
                    fail(path.child("file_url"),
                         "Invalid '" + path.child("file_url").str() + "': expected an https://, http://, gs:// or s3:// URL.",
                         "invalid_value");
                file["file_url"] = *u;
                ++sources;
            }
            if (const json::value *n = optional(o, "filename")) file["filename"] = as_string(*n, path.child("filename"));
            if (sources != 1)
                fail(path, "Invalid '" + path.str() + "': an input_file needs exactly one of 'file_data', 'file_id' "
                                                      "and 'file_url'.",
                     sources == 0 ? "missing_required_parameter" : "invalid_value");
            return json::object{{"type", "file"}, {"file", std::move(file)}};
        }
        if (type == "input_audio")
            unsupported(type_path, "Invalid '" + type_path.str() + "': '" + std::string(type) +
                                       "' parts are not supported by this gateway (supported: 'input_text', "
                                       "'input_image', 'input_file', 'output_text').");
        fail_value(type_path, type, {"input_text", "input_image", "input_file", "output_text"});
    }

    // A reasoning item sent back: its encrypted_content (this gateway's, see
    // reasoning_details.hpp) becomes the reasoning_details of the assistant
    // turn it belongs to: the open one, else the next. One without
    // encrypted_content (a summary only) has nothing to restore.
    void reasoning_item(const json::object &o, const Path &path) {
        const json::value *content = optional(o, "encrypted_content");
        if (content == nullptr) return;
        const Path content_path = path.child("encrypted_content");
        const std::optional<json::array> details = decode_reasoning(as_string(*content, content_path));
        if (!details) {
            fail(content_path,
                 "Invalid '" + content_path.str() + "': it is not the encrypted_content of a reasoning item this "
                                                    "gateway returned. Send the item back unchanged.",
                 "invalid_value");
        }
        json::array &target = open_assistant_ ? reasoning_details_of(messages_.back().as_object()) : pending_reasoning_;
        for (const json::value &d : *details) target.push_back(d);
    }

    static json::array &reasoning_details_of(json::object &assistant) {
        json::value &details = assistant["reasoning_details"];
        if (!details.is_array()) details = json::array{};
        return details.as_array();
    }

    // A new assistant message takes the reasoning items that came before it.
    void take_pending_reasoning(json::object &assistant) {
        if (pending_reasoning_.empty()) return;
        json::array &details = reasoning_details_of(assistant);
        for (json::value &d : pending_reasoning_) details.push_back(std::move(d));
        pending_reasoning_.clear();
    }

    void function_call(const json::object &o, const Path &path) {
        const Path id_path = path.child("call_id");
        const Path name_path = path.child("name");
        const Path args_path = path.child("arguments");
        json::object call{{"id", non_empty_string(required(o, "call_id", id_path), id_path)},
                          {"type", "function"},
                          {"function", json::object{{"name", non_empty_string(required(o, "name", name_path), name_path)},
                                                    {"arguments", as_string(required(o, "arguments", args_path), args_path)}}}};
        // Calls right after an assistant turn belong to it (parallel calls
        // are consecutive items).
        if (!open_assistant_) {
            messages_.push_back(json::object{{"role", "assistant"}, {"content", nullptr}});
            take_pending_reasoning(messages_.back().as_object());
            open_assistant_ = true;
        }
        json::object &assistant = messages_.back().as_object();
        if (assistant["content"].is_string() && assistant["content"].as_string().empty()) assistant["content"] = nullptr;
        json::value &calls = assistant["tool_calls"];
        if (!calls.is_array()) calls = json::array{};
        calls.as_array().push_back(std::move(call));
    }

    void function_call_output(const json::object &o, const Path &path) {
        const Path id_path = path.child("call_id");
        const Path out_path = path.child("output");
        const json::value &output = required(o, "output", out_path);
        std::string text;
        if (const json::string *s = output.if_string()) {
            text = *s;
        } else {
            if (!output.is_array()) fail_type(out_path, "a string or an array of content parts", output);
            const json::array &parts = output.as_array();
            for (std::size_t i = 0; i < parts.size(); ++i) {
                const Path part_path = out_path.at(i);
                const json::object &p = as_object(parts[i], part_path);
                const Path type_path = part_path.child("type");
                const std::string_view type = as_string(required(p, "type", type_path), type_path);
                if (type != "input_text" && type != "output_text")
                    unsupported(type_path, "Invalid '" + type_path.str() +
                                               "': a function call's output may hold text parts only here.");
                text += as_string(required(p, "text", part_path.child("text")), part_path.child("text"));
            }
        }
        messages_.push_back(json::object{
            {"role", "tool"}, {"tool_call_id", non_empty_string(required(o, "call_id", id_path), id_path)}, {"content", text}});
        open_assistant_ = false;
    }

    void tools(const json::object &root, const Path &top) {
        json::array echoed;
        if (const json::value *t = optional(root, "tools")) {
            const Path path = top.child("tools");
            const json::array &list = as_array(*t, path);
            json::array out;
            for (std::size_t i = 0; i < list.size(); ++i) {
                const Path tp = path.at(i);
                const json::object &tool = as_object(list[i], tp);
                const std::string_view type = as_string(required(tool, "type", tp.child("type")), tp.child("type"));
                if (type != "function")
                    unsupported(tp.child("type"), "Invalid '" + tp.child("type").str() + "': the built-in tool '" +
                                                      std::string(type) +
                                                      "' is not supported by this gateway; only 'function' tools are "
                                                      "(the client runs them).");
                json::object fn{{"name", non_empty_string(required(tool, "name", tp.child("name")), tp.child("name"))}};
                if (const json::value *d = optional(tool, "description"))
                    fn["description"] = as_string(*d, tp.child("description"));
                if (const json::value *p = optional(tool, "parameters"))
                    fn["parameters"] = as_object(*p, tp.child("parameters"));
                bool strict = true; // the Responses API's default
                if (const json::value *s = optional(tool, "strict")) strict = as_bool(*s, tp.child("strict"));
                fn["strict"] = strict;
                json::object shown = fn;
                shown["type"] = "function";
                if (!shown.contains("parameters")) shown["parameters"] = nullptr;
                if (!shown.contains("description")) shown["description"] = nullptr;
                echoed.push_back(std::move(shown));
                out.push_back(json::object{{"type", "function"}, {"function", std::move(fn)}});
            }
            if (!out.empty()) chat_["tools"] = std::move(out);
        }
        echoed_["tools"] = std::move(echoed);

        echoed_["tool_choice"] = "auto";
        if (const json::value *c = optional(root, "tool_choice")) {
            const Path path = top.child("tool_choice");
            if (const json::string *s = c->if_string()) {
                if (*s != "none" && *s != "auto" && *s != "required") fail_value(path, *s, {"none", "auto", "required"});
                chat_["tool_choice"] = *s;
            } else {
                const json::object &o = as_object(*c, path);
                const std::string_view type = as_string(required(o, "type", path.child("type")), path.child("type"));
                if (type != "function")
                    unsupported(path.child("type"), "Invalid '" + path.child("type").str() + "': '" +
                                                        std::string(type) +
                                                        "' is not supported here; use 'none', 'auto', 'required' or "
                                                        "{\"type\": \"function\", \"name\": ...}.");
                const json::string &name = non_empty_string(required(o, "name", path.child("name")), path.child("name"));
                if (!chat_.contains("tools"))
                    fail(path, "Invalid 'tool_choice': the function '" + std::string(name) + "' is not in 'tools'.",
                         "invalid_value");
                chat_["tool_choice"] = json::object{{"type", "function"}, {"function", json::object{{"name", name}}}};
            }
            echoed_["tool_choice"] = *c;
        }
        bool parallel = true;
        if (const json::value *p = optional(root, "parallel_tool_calls")) {
            parallel = as_bool(*p, top.child("parallel_tool_calls"));
            if (chat_.contains("tools")) chat_["parallel_tool_calls"] = parallel;
        }
        echoed_["parallel_tool_calls"] = parallel;
    }

    void text(const json::object &root, const Path &top) {
        json::object shown{{"format", json::object{{"type", "text"}}}};
        if (const json::value *t = optional(root, "text")) {
            const Path path = top.child("text");
            const json::object &o = as_object(*t, path);
            if (const json::value *f = optional(o, "format")) {
                const Path fp = path.child("format");
                const json::object &format = as_object(*f, fp);
                const std::string_view type = as_string(required(format, "type", fp.child("type")), fp.child("type"));
                if (type == "text") {
                    chat_["response_format"] = json::object{{"type", "text"}};
                } else if (type == "json_object") {
                    chat_["response_format"] = json::object{{"type", "json_object"}};
                } else if (type == "json_schema") {
                    json::object schema{
                        {"name", non_empty_string(required(format, "name", fp.child("name")), fp.child("name"))},
                        {"schema", as_object(required(format, "schema", fp.child("schema")), fp.child("schema"))}};
                    if (const json::value *d = optional(format, "description"))
                        schema["description"] = as_string(*d, fp.child("description"));
                    if (const json::value *s = optional(format, "strict"))
                        schema["strict"] = as_bool(*s, fp.child("strict"));
                    chat_["response_format"] = json::object{{"type", "json_schema"}, {"json_schema", schema}};
                } else {
                    fail_value(fp.child("type"), type, {"text", "json_object", "json_schema"});
                }
                shown["format"] = format;
            }
            if (const json::value *v = optional(o, "verbosity")) {
                const std::string_view verbosity = as_string(*v, path.child("verbosity"));
                if (verbosity != "low" && verbosity != "medium" && verbosity != "high")
                    fail_value(path.child("verbosity"), verbosity, {"low", "medium", "high"});
                shown["verbosity"] = verbosity;
            }
        }
        echoed_["text"] = std::move(shown);
    }

    void reasoning(const json::object &root, const Path &top) {
        json::object shown{{"effort", nullptr}, {"summary", nullptr}};
        if (const json::value *r = optional(root, "reasoning")) {
            const Path path = top.child("reasoning");
            const json::object &o = as_object(*r, path);
            if (const json::value *e = optional(o, "effort")) {
                const std::string_view effort = as_string(*e, path.child("effort"));
                if (effort != "none" && effort != "minimal" && effort != "low" && effort != "medium" && effort != "high")
                    fail_value(path.child("effort"), effort, {"none", "minimal", "low", "medium", "high"});
                chat_["reasoning_effort"] = effort;
                shown["effort"] = effort;
            }
            if (const json::value *s = optional(o, "summary")) {
                const std::string_view summary = as_string(*s, path.child("summary"));
                if (summary != "auto" && summary != "concise" && summary != "detailed")
                    fail_value(path.child("summary"), summary, {"auto", "concise", "detailed"});
                shown["summary"] = summary;
            }
        }
        echoed_["reasoning"] = std::move(shown);
    }

    void scalars(const json::object &root, const Path &top) {
        echoed_["max_output_tokens"] = nullptr;
        if (const json::value *m = optional(root, "max_output_tokens")) {
            const auto tokens = as_integer_in(*m, top.child("max_output_tokens"), 1, std::numeric_limits<std::int32_t>::max());
            chat_["max_completion_tokens"] = tokens;
            echoed_["max_output_tokens"] = tokens;
        }
        echoed_["temperature"] = 1.0;
        if (const json::value *t = optional(root, "temperature")) {
            chat_["temperature"] = as_number_in(*t, top.child("temperature"), 0, 2);
            echoed_["temperature"] = chat_["temperature"];
        }
        echoed_["top_p"] = 1.0;
        if (const json::value *p = optional(root, "top_p")) {
            chat_["top_p"] = as_number_in(*p, top.child("top_p"), 0, 1);
            echoed_["top_p"] = chat_["top_p"];
        }
        bool stream = false;
        if (const json::value *s = optional(root, "stream")) stream = as_bool(*s, top.child("stream"));
        if (stream) {
            chat_["stream"] = true;
            chat_["stream_options"] = json::object{{"include_usage", true}}; // the last event carries usage
        }
        if (const json::value *s = optional(root, "store")) as_bool(*s, top.child("store"));
        echoed_["store"] = false; // nothing is kept, whatever the client asked
        echoed_["user"] = nullptr;
        if (const json::value *u = optional(root, "user")) {
            chat_["user"] = as_string(*u, top.child("user"));
            echoed_["user"] = chat_["user"];
        }
    }

    void metadata(const json::object &root, const Path &top) {
        json::object shown;
        if (const json::value *m = optional(root, "metadata")) {
            const Path path = top.child("metadata");
            const json::object &o = as_object(*m, path);
            if (o.size() > kMaxMetadataKeys)
                fail(path, "Invalid 'metadata': too many keys. Expected at most 16 keys, but got " +
                               std::to_string(o.size()) + ".", "object_above_max_properties");
            for (const auto &kv : o) {
                const Path kp = path.child(kv.key());
                if (kv.key().size() > kMaxMetadataKey)
                    fail(path, "Invalid 'metadata': a key is longer than 64 characters.", "invalid_value");
                const json::string &value = as_string(kv.value(), kp);
                if (value.size() > kMaxMetadataValue)
                    fail(kp, "Invalid '" + kp.str() + "': string too long. Expected at most 512 characters.",
                         "string_above_max_length");
                shown[kv.key()] = value;
            }
        }
        echoed_["metadata"] = std::move(shown);
    }

    json::object chat_;
    json::array messages_;
    json::object echoed_;
    bool open_assistant_ = false; // the last message is an assistant turn function calls may join
    json::array pending_reasoning_; // reasoning items waiting for their assistant turn
};

} // namespace

ResponsesParseResult parse_responses_request(std::string body) {
    return guarded<ResponsesParseResult>([&]() -> ResponsesParseResult {
        json::object chat;
        json::object echoed;
        {
            const json::value doc = parse_body(body);
            Translator t;
            chat = t.run(doc.get_object());
            echoed = t.echoed();
        }
        auto parsed = parse_chat_request(json::serialize(chat));
        // The translation is valid by construction; a refusal here is the
        // chat parser's own limit (e.g. a schema nested too deep).
        if (auto *error = std::get_if<ApiError>(&parsed)) return std::move(*error);
        return ResponsesRequest{std::move(std::get<ChatRequest>(parsed)), std::move(body), std::move(echoed)};
    });
}

} // namespace helix::api
