#include "plugins/gcp_vertex/gemini_request.hpp"

#include "plugins/common/document_part.hpp"
#include "plugins/common/image_url.hpp"
#include "plugins/common/message_walk.hpp"
#include "plugins/common/reasoning.hpp"
#include "plugins/common/request_helpers.hpp"

#include <boost/json.hpp>

#include <array>

namespace helix::gcp_vertex {

namespace {

namespace json = boost::json;
using helix::plugin_common::walk_messages;
using helix::plugin_common::ascii_lower;
using helix::plugin_common::Turn;
using helix::plugin_common::ImageUrl;
using helix::plugin_common::invalid;
using helix::plugin_common::jv;
using helix::plugin_common::has_text;
using helix::plugin_common::message_path;
using helix::plugin_common::part_path;
using helix::plugin_common::parse_client_json;
using helix::plugin_common::parse_image_url;
using helix::plugin_common::unsupported;
using helix::sdk::view;


// Vertex needs a mimeType for a file URI; the URL's extension is all there is.
std::string_view mime_type_of_url(std::string_view url) {
    const std::size_t end = url.find_first_of("?#");
    const std::string path = ascii_lower(url.substr(0, end));
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> types{{{".png", "image/png"},
                                                                                          {".jpg", "image/jpeg"},
                                                                                          {".jpeg", "image/jpeg"},
                                                                                          {".gif", "image/gif"},
                                                                                          {".webp", "image/webp"},
                                                                                          {".heic", "image/heic"},
                                                                                          {".heif", "image/heif"}}};
    for (const auto &[extension, type] : types)
        if (path.ends_with(extension)) return type;
    return {};
}

json::object image_part(std::string_view url, const std::string &param) {
    const ImageUrl image = parse_image_url(url, param);
    if (image.kind == ImageUrl::Kind::data)
        return json::object{{"inlineData", json::object{{"mimeType", image.media_type}, {"data", jv(image.data)}}}};
    const std::string_view type = mime_type_of_url(image.url);
    if (type.empty())
        unsupported(param + ": Vertex AI needs an image's type; use a URL ending in .png, .jpg, .gif or .webp, or a "
                            "base64 data: URI",
                    param);
    return json::object{{"fileData", json::object{{"mimeType", jv(type)}, {"fileUri", jv(image.url)}}}};
}

// A document part as inlineData (bytes) or fileData (a gs:// URI, a File
// API file, a YouTube video: Gemini reads them itself). PDFs and text.
json::object document_part(const helix_content_part &p, std::size_t index, std::size_t j) {
    const std::string param = part_path(index, j);
    const helix::plugin_common::DocumentPart d = helix::plugin_common::document_part(p, param);
    const bool youtube = d.source == HELIX_SOURCE_FILE_URI && d.uri.find("youtu") != std::string_view::npos;
    std::string type = youtube && d.media_type.empty() ? std::string("video/mp4") : d.media_type;
    const bool accepted = type == "application/pdf" || type.starts_with("text/") || type.starts_with("image/") ||
                          type.starts_with("video/") || type.starts_with("audio/");
    if (!accepted)
        unsupported(param + ": Vertex AI takes PDF, text, image, audio and video files, not '" +
                        (type.empty() ? std::string("(unknown type: give file.format)") : type.substr(0, 80)) + "'",
                    param);
    if (d.source == HELIX_SOURCE_BYTES)
        return json::object{{"inlineData", json::object{{"mimeType", type}, {"data", helix::plugin_common::base64_encode(d.bytes)}}}};
    if (d.source == HELIX_SOURCE_FILE_URI && !d.uri.starts_with("s3://"))
        return json::object{{"fileData", json::object{{"mimeType", type}, {"fileUri", jv(d.uri)}}}};
    unsupported(param + ": Vertex AI takes a file as bytes or as a gs:// URI, not '" + std::string(d.uri.substr(0, 80)) +
                    "' (the gateway fetches http(s) URLs only when media_fetch is on)",
                param);
}

void content_parts(const helix_message &m, std::size_t index, json::array &parts) {
    const std::size_t first = parts.size();
    if (m.parts == nullptr) {
        if (has_text(view(m.text))) parts.push_back(json::object{{"text", jv(m.text)}});
    } else {
        for (std::size_t j = 0; j < m.part_count; ++j) {
            const helix_content_part &p = *m.parts[j];
            if (p.type == HELIX_PART_IMAGE_URL) parts.push_back(image_part(view(p.image_url), part_path(index, j) + ".image_url.url"));
            else if (p.type == HELIX_PART_DOCUMENT) parts.push_back(document_part(p, index, j));
            else if (has_text(view(p.text))) parts.push_back(json::object{{"text", jv(p.text)}});
        }
    }
    if (m.role != HELIX_ROLE_ASSISTANT) return;
    // Earlier reasoning goes back where Gemini put it: thought parts first,
    // a text part's signature on the (last) text part.
    json::array thoughts;
    for (std::size_t j = 0; j < m.reasoning_count; ++j) {
        const helix_reasoning_block &b = *m.reasoning[j];
        if (!helix::plugin_common::same_format(b, kReasoningFormat)) continue;
        if (b.kind == HELIX_REASONING_TEXT) {
            json::object part{{"text", jv(b.text)}, {"thought", true}};
            if (b.signature.len > 0) part["thoughtSignature"] = jv(b.signature);
            thoughts.push_back(std::move(part));
        } else if (b.kind == HELIX_REASONING_REDACTED && b.redacted_data.len > 0) {
            for (std::size_t k = parts.size(); k-- > first;) {
                json::object &part = parts[k].as_object();
                if (!part.contains("text")) continue;
                part["thoughtSignature"] = jv(b.redacted_data);
                break;
            }
        }
    }
    parts.insert(parts.begin() + static_cast<std::ptrdiff_t>(first), thoughts.begin(), thoughts.end());
}

void system_parts(const helix_message &m, std::size_t index, json::array &parts) {
    if (m.parts != nullptr)
        for (std::size_t j = 0; j < m.part_count; ++j)
            if (m.parts[j]->type != HELIX_PART_TEXT)
                unsupported("Vertex AI's system instruction takes text only; " + message_path(index) + " has an image",
                            part_path(index, j));
    content_parts(m, index, parts);
}

json::object function_call(const helix_tool_call &c, const std::string &path) {
    if (c.name.len == 0) invalid(path + ".function.name is required", path + ".function.name");
    json::value args = json::object{};
    if (has_text(view(c.arguments))) {
        args = parse_client_json(view(c.arguments), path + ".function.arguments", "tool arguments must be a JSON object");
        if (!args.is_object()) invalid(path + ".function.arguments must be a JSON object", path + ".function.arguments");
    }
    json::object part{{"functionCall", json::object{{"name", jv(c.name)}, {"args", std::move(args)}}}};
    if (c.signature.len > 0) part["thoughtSignature"] = jv(c.signature);
    return part;
}

// The function name of the tool call `id`, from the nearest earlier assistant message.
std::string_view tool_name_for(const helix_chat_request &r, std::size_t tool_message, std::string_view id) {
    for (std::size_t i = tool_message; i-- > 0;) {
        const helix_message &m = *r.messages[i];
        if (m.role != HELIX_ROLE_ASSISTANT) continue;
        for (std::size_t j = 0; j < m.tool_call_count; ++j)
            if (view(m.tool_calls[j]->id) == id) return view(m.tool_calls[j]->name);
    }
    return {};
}

std::string plain_text(const helix_message &m) {
    if (m.parts == nullptr) return std::string(view(m.text));
    std::string text;
    for (std::size_t j = 0; j < m.part_count; ++j)
        if (m.parts[j]->type == HELIX_PART_TEXT) text += view(m.parts[j]->text);
    return text;
}

json::object function_response(const helix_chat_request &r, std::size_t index) {
    const helix_message &m = *r.messages[index];
    const std::string path = message_path(index);
    if (m.tool_call_id.len == 0) invalid(path + ".tool_call_id is required", path + ".tool_call_id");
    const std::string_view name = tool_name_for(r, index, view(m.tool_call_id));
    if (name.empty())
        invalid(path + ".tool_call_id matches no tool call of an earlier assistant message (Vertex AI answers a "
                       "function by its name)",
                path + ".tool_call_id");
    const std::string text = plain_text(m);
    boost::system::error_code ec;
    json::value parsed = json::parse(text, ec);
    json::object response;
    if (!ec && parsed.is_object()) response = std::move(parsed.get_object());
    else response["content"] = json::string(jv(text));
    return json::object{{"functionResponse", json::object{{"name", jv(name)}, {"response", std::move(response)}}}};
}

json::array build_contents(const helix_chat_request &r, json::array &system) {
    std::vector<Turn> turns = walk_messages(
        r, {.assistant_role = "model",
            .system = [&](const helix_message &m, std::size_t i) { system_parts(m, i, system); },
            .content = content_parts,
            .tool_call = function_call,
            .tool_result = [&](const helix_message &, std::size_t i) -> json::value { return function_response(r, i); },
            .cache_point = {}}); // Gemini caches by cachedContents, not breakpoints
    json::array contents;
    for (Turn &t : turns) contents.push_back(json::object{{"role", t.role}, {"parts", std::move(t.blocks)}});
    return contents;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char &c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

json::value vertex_schema_at(const json::value &in, int depth) {
    const json::object *o = in.if_object();
    if (o == nullptr || depth > 64) return json::object{};
    // The keywords of Vertex's Schema message that JSON Schema shares.
    static constexpr std::array<std::string_view, 17> kept{
        "format",   "title",    "description", "nullable",  "default",   "enum",      "required",     "minItems",
        "maxItems", "minimum",  "maximum",     "minLength", "maxLength", "pattern",   "minProperties", "maxProperties",
        "example"};
    json::object out;
    for (const auto &[key, value] : *o) {
        if (key == "type") {
            if (value.is_string()) {
                out["type"] = upper(value.get_string());
            } else if (const json::array *types = value.if_array()) {
                for (const json::value &t : *types) {
                    if (!t.is_string()) continue;
                    if (t.get_string() == "null") out["nullable"] = true;
                    else if (!out.contains("type")) out["type"] = upper(t.get_string());
                }
            }
        } else if (key == "properties" && value.is_object()) {
            json::object properties;
            for (const auto &[name, schema] : value.get_object()) properties[name] = vertex_schema_at(schema, depth + 1);
            out["properties"] = std::move(properties);
        } else if (key == "items") {
            out["items"] = vertex_schema_at(value, depth + 1);
        } else if (key == "anyOf" && value.is_array()) {
            json::array any;
            for (const json::value &schema : value.get_array()) any.push_back(vertex_schema_at(schema, depth + 1));
            out["anyOf"] = std::move(any);
        } else if (std::find(kept.begin(), kept.end(), std::string_view(key)) != kept.end()) {
            out[key] = value;
        }
    }
    return out;
}

json::array build_tools(const helix_chat_request &r) {
    json::array declarations;
    for (std::size_t i = 0; i < r.tool_count; ++i) {
        const helix_tool &t = *r.tools[i];
        const std::string path = "tools[" + std::to_string(i) + "].function";
        if (t.name.len == 0) invalid(path + ".name is required", path + ".name");
        json::object declaration{{"name", jv(t.name)}};
        if (t.description.len > 0) declaration["description"] = jv(t.description);
        if (has_text(view(t.parameters_json))) {
            const json::value schema = parse_client_json(view(t.parameters_json), path + ".parameters", "a JSON Schema object");
            if (!schema.is_object()) invalid(path + ".parameters must be a JSON Schema object", path + ".parameters");
            // A function without parameters is declared without a schema.
            const json::object *properties = schema.get_object().if_contains("properties") != nullptr
                                                 ? schema.get_object().at("properties").if_object()
                                                 : nullptr;
            if (properties == nullptr || !properties->empty()) declaration["parameters"] = vertex_schema(schema);
        }
        declarations.push_back(std::move(declaration));
    }
    return json::array{json::object{{"functionDeclarations", std::move(declarations)}}};
}

json::object tool_config(const helix_chat_request &r) {
    json::object calling;
    switch (r.tool_choice) {
    case HELIX_TOOL_CHOICE_NONE:
        calling["mode"] = "NONE";
        break;
    case HELIX_TOOL_CHOICE_REQUIRED:
        calling["mode"] = "ANY";
        break;
    case HELIX_TOOL_CHOICE_NAMED:
        if (r.tool_choice_name.len == 0) invalid("tool_choice names no function", "tool_choice.function.name");
        calling["mode"] = "ANY";
        calling["allowedFunctionNames"] = json::array{json::string(jv(r.tool_choice_name))};
        break;
    case HELIX_TOOL_CHOICE_AUTO:
        calling["mode"] = "AUTO";
        break;
    case HELIX_TOOL_CHOICE_UNSET:
        return {};
    }
    return json::object{{"functionCallingConfig", std::move(calling)}};
}

// Gemini 3 thinks by level, 2.5 by budget; a request sets one, never both.
json::object thinking_config(const helix_chat_request &r) {
    const std::optional<std::int64_t> budget = helix::plugin_common::requested_budget(r);
    if (!budget) return {};
    const std::string_view model = view(r.model);
    if (model.find("gemini-3") != std::string_view::npos) {
        const bool low = r.reasoning_effort != HELIX_EFFORT_UNSET
                             ? r.reasoning_effort <= HELIX_EFFORT_LOW
                             : *budget <= helix::plugin_common::budget_for_effort(HELIX_EFFORT_MEDIUM);
        return json::object{{"thinkingLevel", low ? "LOW" : "HIGH"}, {"includeThoughts", true}};
    }
    if (model.find("gemini-2.5") != std::string_view::npos)
        return json::object{{"thinkingBudget", *budget}, {"includeThoughts", true}};
    return {};
}

json::object generation_config(const helix_chat_request &r) {
    json::object config;
    if ((r.present & HELIX_HAS_TEMPERATURE) != 0) config["temperature"] = r.temperature;
    if ((r.present & HELIX_HAS_TOP_P) != 0) config["topP"] = r.top_p;
    if ((r.present & HELIX_HAS_MAX_TOKENS) != 0) config["maxOutputTokens"] = r.max_tokens;
    if ((r.present & HELIX_HAS_SEED) != 0) config["seed"] = r.seed;
    if (r.n > 1) config["candidateCount"] = r.n;
    if (r.stop_count > 0) {
        json::array stop;
        for (std::size_t i = 0; i < r.stop_count; ++i) stop.push_back(json::string(jv(r.stop[i])));
        config["stopSequences"] = std::move(stop);
    }
    if (json::object thinking = thinking_config(r); !thinking.empty()) config["thinkingConfig"] = std::move(thinking);
    if (r.response_format == HELIX_FORMAT_JSON_OBJECT || r.response_format == HELIX_FORMAT_JSON_SCHEMA)
        config["responseMimeType"] = "application/json";
    if (r.response_format == HELIX_FORMAT_JSON_SCHEMA) {
        const json::value spec =
            parse_client_json(view(r.response_schema_json), "response_format.json_schema", "a json_schema object");
        const json::object *o = spec.if_object();
        const json::value *schema = o != nullptr ? o->if_contains("schema") : nullptr;
        if (schema != nullptr && schema->is_object()) config["responseSchema"] = vertex_schema(*schema);
    }
    return config;
}

} // namespace

json::value vertex_schema(const json::value &json_schema) { return vertex_schema_at(json_schema, 0); }

std::string gemini_body(const helix_chat_request &r) {
    if (r.model.len == 0) invalid("the request names no model", "model");
    json::object body;
    json::array system;
    json::array contents = build_contents(r, system);
    if (contents.empty())
        invalid("the request has no user or assistant message with content; Vertex AI needs at least one", "messages");
    body["contents"] = std::move(contents);
    if (!system.empty()) body["systemInstruction"] = json::object{{"parts", std::move(system)}};
    if (r.tool_count > 0) {
        body["tools"] = build_tools(r);
        if (json::object config = tool_config(r); !config.empty()) body["toolConfig"] = std::move(config);
    } else if (r.tool_choice == HELIX_TOOL_CHOICE_REQUIRED || r.tool_choice == HELIX_TOOL_CHOICE_NAMED) {
        invalid("tool_choice asks for a tool call but the request has no tools", "tool_choice");
    }
    if (json::object config = generation_config(r); !config.empty()) body["generationConfig"] = std::move(config);
    return json::serialize(body);
}

} // namespace helix::gcp_vertex
