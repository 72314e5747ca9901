#include "plugins/aws_bedrock/bedrock_request.hpp"

#include "plugins/common/document_part.hpp"
#include "plugins/common/image_url.hpp"
#include "plugins/common/message_walk.hpp"
#include "plugins/common/reasoning.hpp"
#include "plugins/common/request_helpers.hpp"
#include "plugins/common/structured_output.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <set>
#include <vector>

namespace helix::aws_bedrock {

namespace {

namespace json = boost::json;
using helix::sdk::Error;
using helix::sdk::view;

using helix::plugin_common::MessageTranslator;
using helix::plugin_common::walk_messages;
using helix::plugin_common::ImageUrl;
using helix::plugin_common::Turn;
using helix::plugin_common::invalid;
using helix::plugin_common::jv;
using helix::plugin_common::parse_client_json;
using helix::plugin_common::parse_image_url;
using helix::plugin_common::has_text;
using helix::plugin_common::message_path;
using helix::plugin_common::part_path;
using helix::plugin_common::unsupported;

// A prompt-cache breakpoint: Converse has one lifetime, its default.
json::object cache_point() { return json::object{{"cachePoint", json::object{{"type", "default"}}}}; }

// Text and image blocks of a message's content; with `cache_points`, a
// cachePoint after each part marked cache_control.
void content_blocks(const helix_message &m, std::size_t index, json::array &blocks, bool cache_points);

// An image_url part as a Converse image block.
json::object image_block(std::string_view url, const std::string &param) {
    const ImageUrl image = parse_image_url(url, param);
    if (image.kind == ImageUrl::Kind::url)
        unsupported(param + ": Bedrock's Converse API takes images as bytes, not URLs; send a base64 data: URI",
                    param);
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 4> formats{
        {{"image/png", "png"}, {"image/jpeg", "jpeg"}, {"image/gif", "gif"}, {"image/webp", "webp"}}};
    const auto format =
        std::find_if(formats.begin(), formats.end(), [&](const auto &f) { return f.first == image.media_type; });
    if (format == formats.end())
        unsupported(param + ": Bedrock accepts png, jpeg, gif and webp images, not '" +
                        (image.media_type.empty() ? std::string("(none)") : image.media_type.substr(0, 64)) + "'",
                    param);
    return json::object{{"image", json::object{{"format", jv(format->second)},
                                               {"source", json::object{{"bytes", jv(image.data)}}}}}};
}

// A document's name as Converse takes it: letters, digits, single spaces,
// hyphens, parentheses and square brackets, at most 200 characters. The
// file name loses its extension; every run of other characters becomes one
// hyphen; no name at all becomes "document-<message>-<part>".
std::string document_name(std::string_view filename, std::size_t index, std::size_t part) {
    if (const std::size_t dot = filename.rfind('.'); dot != std::string_view::npos && dot > 0) filename = filename.substr(0, dot);
    std::string name;
    bool replaced = false;
    for (const char c : filename) {
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                          c == '(' || c == ')' || c == '[' || c == ']';
        if (keep) {
            name.push_back(c);
            replaced = false;
        } else if (c == ' ' || c == '\t') {
            if (!name.empty() && name.back() != ' ' && !replaced) name.push_back(' ');
        } else if (!replaced) {
            if (!name.empty() && name.back() == ' ') name.pop_back();
            name.push_back('-');
            replaced = true;
        }
    }
    while (!name.empty() && name.back() == ' ') name.pop_back();
    if (name.size() > 200) name.resize(200);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    if (name.empty() || name == "-") name = "document-" + std::to_string(index) + "-" + std::to_string(part);
    return name;
}

// A document part as a Converse document block: bytes or an s3:// object.
json::object document_block(const helix_content_part &p, std::size_t index, std::size_t part) {
    const std::string param = part_path(index, part);
    const helix::plugin_common::DocumentPart d = helix::plugin_common::document_part(p, param);
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> formats{{
        {"application/pdf", "pdf"},
        {"text/csv", "csv"},
        {"application/msword", "doc"},
        {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"},
        {"application/vnd.ms-excel", "xls"},
        {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
        {"text/html", "html"},
        {"text/plain", "txt"},
        {"text/markdown", "md"},
        {"text/x-markdown", "md"},
    }};
    const auto format =
        std::find_if(formats.begin(), formats.end(), [&](const auto &f) { return f.first == d.media_type; });
    if (format == formats.end())
        unsupported(param + ": Bedrock's Converse API takes pdf, csv, doc, docx, xls, xlsx, html, txt and md documents, "
                            "not '" + (d.media_type.empty() ? std::string("(unknown type)") : d.media_type.substr(0, 80)) + "'",
                    param);
    json::object source;
    if (d.source == HELIX_SOURCE_BYTES) {
        source["bytes"] = helix::plugin_common::base64_encode(d.bytes);
    } else if (d.source == HELIX_SOURCE_FILE_URI && d.uri.starts_with("s3://")) {
        source["s3Location"] = json::object{{"uri", jv(d.uri)}};
    } else {
        unsupported(param + ": Bedrock's Converse API takes a document as bytes or as an s3:// object, not as '" +
                        std::string(d.uri.substr(0, 80)) + "'",
                    param);
    }
    return json::object{{"document", json::object{{"format", jv(format->second)},
                                                  {"name", document_name(d.filename, index, part)},
                                                  {"source", std::move(source)}}}};
}

// An assistant message's earlier reasoning, first in its content as Claude
// requires, byte for byte; unsigned text and other formats are left out.
void reasoning_blocks(const helix_message &m, json::array &blocks) {
    for (std::size_t j = 0; j < m.reasoning_count; ++j) {
        const helix_reasoning_block &b = *m.reasoning[j];
        if (!helix::plugin_common::same_format(b, kReasoningFormat)) continue;
        if (b.kind == HELIX_REASONING_REDACTED && b.redacted_data.len > 0) {
            blocks.push_back(json::object{{"reasoningContent", json::object{{"redactedContent", jv(b.redacted_data)}}}});
        } else if (b.kind == HELIX_REASONING_TEXT && b.signature.len > 0) {
            blocks.push_back(json::object{{"reasoningContent",
                                           json::object{{"reasoningText", json::object{{"text", jv(b.text)},
                                                                                       {"signature", jv(b.signature)}}}}}});
        }
    }
}

// Blank texts are left out.
void content_blocks(const helix_message &m, std::size_t index, json::array &blocks, bool cache_points) {
    if (m.role == HELIX_ROLE_ASSISTANT) reasoning_blocks(m, blocks);
    if (m.parts == nullptr) {
        if (has_text(view(m.text))) blocks.push_back(json::object{{"text", jv(m.text)}});
        return;
    }
    for (std::size_t j = 0; j < m.part_count; ++j) {
        const helix_content_part &p = *m.parts[j];
        if (p.type == HELIX_PART_IMAGE_URL) {
            blocks.push_back(image_block(view(p.image_url), part_path(index, j) + ".image_url.url"));
        } else if (p.type == HELIX_PART_DOCUMENT) {
            blocks.push_back(document_block(p, index, j));
        } else if (has_text(view(p.text))) {
            blocks.push_back(json::object{{"text", jv(p.text)}});
        } else {
            continue;
        }
        if (cache_points && p.cache_control != HELIX_CACHE_NONE) blocks.push_back(cache_point());
    }
}

// A system message with a breakpoint on it or on one of its parts (Converse
// caches the system prompt up to the end of that message).
bool system_breakpoint(const helix_message &m) {
    if (m.cache_control != HELIX_CACHE_NONE) return true;
    for (std::size_t j = 0; j < m.part_count; ++j)
        if (m.parts[j]->cache_control != HELIX_CACHE_NONE) return true;
    return false;
}

std::string system_text(const helix_message &m, std::size_t index) {
    if (m.parts == nullptr) return std::string(view(m.text));
    std::string text;
    for (std::size_t j = 0; j < m.part_count; ++j) {
        const helix_content_part &p = *m.parts[j];
        if (p.type != HELIX_PART_TEXT)
            unsupported("Bedrock's system prompt takes text only; " + message_path(index) + " has an image",
                        part_path(index, j));
        if (!text.empty() && p.text.len > 0) text += '\n';
        text += view(p.text);
    }
    return text;
}

json::object tool_use_block(const helix_tool_call &c, const std::string &path) {
    if (c.id.len == 0) invalid(path + ".id is required", path + ".id");
    if (c.name.len == 0) invalid(path + ".function.name is required", path + ".function.name");
    json::value input = json::object{};
    const std::string_view arguments = view(c.arguments);
    if (has_text(arguments)) {
        input = parse_client_json(arguments, path + ".function.arguments", "tool arguments must be a JSON object");
        if (!input.is_object()) invalid(path + ".function.arguments must be a JSON object", path + ".function.arguments");
    }
    return json::object{
        {"toolUse", json::object{{"toolUseId", jv(c.id)}, {"name", jv(c.name)}, {"input", std::move(input)}}}};
}

json::object tool_result_block(const helix_message &m, std::size_t index) {
    if (m.tool_call_id.len == 0)
        invalid(message_path(index) + ".tool_call_id is required", message_path(index) + ".tool_call_id");
    json::array content;
    content_blocks(m, index, content, false); // a toolResult's content takes no cachePoint
    if (content.empty()) content.push_back(json::object{{"text", jv(kEmptyToolResult)}});
    return json::object{
        {"toolResult", json::object{{"toolUseId", jv(m.tool_call_id)}, {"content", std::move(content)}}}};
}

bool is_block(const json::value &b, std::string_view key) {
    const json::object *o = b.if_object();
    return o != nullptr && o->contains(key);
}

// A system text, with a cachePoint after it or not.
struct SystemText {
    std::string text;
    bool cache_point = false;
};

// messages, with system texts collected apart; tool_blocks tells whether any
// toolUse/toolResult block was produced. cache_points: the model takes
// Converse's cachePoint blocks (else cache_control is dropped).
json::array build_messages(const helix_chat_request &r, std::vector<SystemText> &system, bool &tool_blocks,
                           bool cache_points) {
    MessageTranslator translator{
        .assistant_role = "assistant",
        .system =
            [&](const helix_message &m, std::size_t i) {
                std::string text = system_text(m, i);
                if (has_text(text)) system.push_back({std::move(text), cache_points && system_breakpoint(m)});
            },
        .content = [&](const helix_message &m, std::size_t i,
                       json::array &blocks) { content_blocks(m, i, blocks, cache_points); },
        .tool_call = tool_use_block,
        .tool_result = tool_result_block,
        .cache_point = {}};
    if (cache_points)
        translator.cache_point = [](std::uint32_t, json::array &blocks) {
            if (!is_block(blocks.back(), "cachePoint")) blocks.push_back(cache_point());
        };
    std::vector<Turn> turns = walk_messages(r, translator);
    json::array messages;
    for (Turn &t : turns) {
        for (const json::value &b : t.blocks)
            tool_blocks = tool_blocks || is_block(b, "toolUse") || is_block(b, "toolResult");
        if (std::string_view(t.role) == "user") {
            // Tool results answer the previous assistant turn: they go first.
            std::stable_partition(t.blocks.begin(), t.blocks.end(),
                                  [](const json::value &b) { return is_block(b, "toolResult"); });
        }
        messages.push_back(json::object{{"role", t.role}, {"content", std::move(t.blocks)}});
    }
    return messages;
}

json::array build_tools(const helix_chat_request &r, bool cache_points) {
    json::array tools;
    for (std::size_t i = 0; i < r.tool_count; ++i) {
        const helix_tool &t = *r.tools[i];
        const std::string path = "tools[" + std::to_string(i) + "].function";
        if (t.name.len == 0) invalid(path + ".name is required", path + ".name");
        json::object spec{{"name", jv(t.name)}};
        if (t.description.len > 0) spec["description"] = jv(t.description);
        json::value schema = json::object{{"type", "object"}, {"properties", json::object{}}};
        if (has_text(view(t.parameters_json))) {
            schema = parse_client_json(view(t.parameters_json), path + ".parameters", "a JSON Schema object");
            if (!schema.is_object()) invalid(path + ".parameters must be a JSON Schema object", path + ".parameters");
            if (!schema.get_object().contains("type")) schema.get_object()["type"] = "object";
        }
        spec["inputSchema"] = json::object{{"json", std::move(schema)}};
        tools.push_back(json::object{{"toolSpec", std::move(spec)}});
        if (cache_points && t.cache_control != HELIX_CACHE_NONE) tools.push_back(cache_point());
    }
    return tools;
}

// Titan Text takes no system prompt: put it in front of the first user text.
void fold_system_into_first_user_message(json::array &messages, const std::string &system) {
    for (json::value &mv : messages) {
        json::object &m = mv.get_object();
        if (m.at("role") != "user") continue;
        json::array &content = m.at("content").get_array();
        for (json::value &b : content) {
            if (json::object *o = b.if_object(); o != nullptr && o->contains("text")) {
                (*o)["text"] = json::string(jv(system + "\n\n" + std::string(o->at("text").get_string())));
                return;
            }
        }
        content.insert(content.begin(), json::object{{"text", jv(system)}});
        return;
    }
    messages.insert(messages.begin(),
                    json::object{{"role", "user"}, {"content", json::array{json::object{{"text", jv(system)}}}}});
}

} // namespace

bool is_claude(std::string_view upstream_model_id) noexcept {
    return upstream_model_id.find("anthropic.claude") != std::string_view::npos;
}

bool is_nova_2(std::string_view upstream_model_id) noexcept {
    return upstream_model_id.find("amazon.nova-2-") != std::string_view::npos;
}

std::optional<std::string_view> nova_reasoning_effort(const helix_chat_request &r) noexcept {
    const auto budget = helix::plugin_common::requested_budget(r);
    if (!budget) return std::nullopt;
    // The efforts by their budgets (minimal and low: low), so that an exact
    // budget asked in Anthropic's shape lands on the nearest effort too.
    if (*budget <= helix::plugin_common::budget_for_effort(HELIX_EFFORT_LOW)) return "low";
    if (*budget <= helix::plugin_common::budget_for_effort(HELIX_EFFORT_MEDIUM)) return "medium";
    return "high";
}

bool takes_cache_points(std::string_view upstream_model_id) noexcept {
    return is_claude(upstream_model_id) || upstream_model_id.find("amazon.nova") != std::string_view::npos;
}

std::string converse_body(const helix_chat_request &r, std::string_view upstream_model_id) {
    if (r.n > 1) unsupported("Bedrock's Converse API returns one choice per request; set n to 1 (or leave it out)", "n");
    const bool claude = is_claude(upstream_model_id);
    // Claude answers structured output through a forced tool; other models
    // take json_object as an instruction and cannot take a schema.
    if (r.response_format == HELIX_FORMAT_JSON_SCHEMA && !claude)
        unsupported("response_format json_schema needs Claude on Bedrock (it is served as a forced tool call); this "
                    "model has none: use json_object or tools",
                    "response_format");
    const auto thinking = claude ? helix::plugin_common::claude_thinking(r, kClaudeDefaultMaxTokens) : std::nullopt;
    const auto json_tool = claude ? helix::plugin_common::json_tool(r) : std::nullopt;

    json::object body;
    std::vector<SystemText> system;
    bool tool_blocks = false;
    const bool cache_points = takes_cache_points(upstream_model_id);
    json::array messages = build_messages(r, system, tool_blocks, cache_points);
    if (messages.empty())
        invalid("the request has no user or assistant message with content; Bedrock needs at least one", "messages");
    if (r.response_format == HELIX_FORMAT_JSON_OBJECT && !json_tool)
        system.push_back({std::string(kJsonObjectInstruction)});
    if (json_tool && thinking) system.push_back({std::string(kJsonToolInstruction)}); // no forced tool while Claude thinks
    if (!system.empty()) {
        if (model_lacks_system_prompt(upstream_model_id)) {
            std::string joined;
            for (const SystemText &s : system) joined += (joined.empty() ? "" : "\n\n") + s.text;
            fold_system_into_first_user_message(messages, joined);
        } else {
            json::array blocks;
            for (const SystemText &s : system) {
                blocks.push_back(json::object{{"text", jv(s.text)}});
                if (s.cache_point) blocks.push_back(cache_point());
            }
            body["system"] = std::move(blocks);
        }
    }
    body["messages"] = std::move(messages);

    json::object inference;
    if ((r.present & HELIX_HAS_MAX_TOKENS) != 0) {
        if (r.max_tokens < 1) invalid("max_tokens must be at least 1", "max_tokens");
        inference["maxTokens"] = r.max_tokens;
    }
    if ((r.present & HELIX_HAS_TEMPERATURE) != 0) inference["temperature"] = std::clamp(r.temperature, 0.0, 1.0);
    if ((r.present & HELIX_HAS_TOP_P) != 0) inference["topP"] = std::clamp(r.top_p, 0.0, 1.0);
    if (r.stop_count > 0) {
        json::array stop;
        for (std::size_t i = 0; i < r.stop_count; ++i)
            if (r.stop[i].len > 0) stop.push_back(json::string(jv(r.stop[i])));
        if (!stop.empty()) inference["stopSequences"] = std::move(stop);
    }
    if (thinking) {
        inference["maxTokens"] = thinking->max_tokens;
        body["additionalModelRequestFields"] = json::object{
            {"thinking", json::object{{"type", "enabled"}, {"budget_tokens", thinking->budget}}}};
    } else if (const auto effort = is_nova_2(upstream_model_id) ? nova_reasoning_effort(r) : std::nullopt) {
        body["additionalModelRequestFields"] = json::object{
            {"reasoningConfig", json::object{{"type", "enabled"}, {"maxReasoningEffort", *effort}}}};
    }
    if (!inference.empty()) body["inferenceConfig"] = std::move(inference);

    if (r.tool_count > 0) {
        if (r.tool_choice != HELIX_TOOL_CHOICE_NONE || tool_blocks) {
            json::object config{{"tools", build_tools(r, cache_points)}};
            switch (r.tool_choice) {
            case HELIX_TOOL_CHOICE_AUTO:
                config["toolChoice"] = json::object{{"auto", json::object{}}};
                break;
            case HELIX_TOOL_CHOICE_REQUIRED:
                config["toolChoice"] = json::object{{"any", json::object{}}};
                break;
            case HELIX_TOOL_CHOICE_NAMED:
                if (r.tool_choice_name.len == 0) invalid("tool_choice names no function", "tool_choice.function.name");
                config["toolChoice"] = json::object{{"tool", json::object{{"name", jv(r.tool_choice_name)}}}};
                break;
            case HELIX_TOOL_CHOICE_NONE:
            case HELIX_TOOL_CHOICE_UNSET:
                break;
            }
            body["toolConfig"] = std::move(config);
        } else {
            build_tools(r, false); // still reject malformed tools
        }
    } else if (r.tool_choice == HELIX_TOOL_CHOICE_REQUIRED || r.tool_choice == HELIX_TOOL_CHOICE_NAMED) {
        invalid("tool_choice asks for a tool call but the request has no tools", "tool_choice");
    } else if (tool_blocks) {
        // Converse refuses toolUse/toolResult blocks without a toolConfig:
        // declare the tools the history used, with an open schema.
        std::set<std::string_view> seen;
        json::array tools;
        for (std::size_t i = 0; i < r.message_count; ++i)
            for (std::size_t j = 0; j < r.messages[i]->tool_call_count; ++j) {
                const std::string_view name = view(r.messages[i]->tool_calls[j]->name);
                if (!seen.insert(name).second) continue;
                tools.push_back(json::object{
                    {"toolSpec", json::object{{"name", jv(name)},
                                              {"description", "A tool used earlier in this conversation."},
                                              {"inputSchema", json::object{{"json", json::object{{"type", "object"}}}}}}}});
            }
        if (!tools.empty()) body["toolConfig"] = json::object{{"tools", std::move(tools)}};
    }
    if (json_tool) {
        // Structured output: one more tool, whose input is the answer.
        json::value &config = body["toolConfig"];
        if (!config.is_object()) config = json::object{{"tools", json::array{}}};
        json::object &c = config.as_object();
        c["tools"].as_array().push_back(json::object{
            {"toolSpec", json::object{{"name", helix::plugin_common::kJsonToolName},
                                      {"description", json_tool->description},
                                      {"inputSchema", json::object{{"json", json_tool->schema}}}}}});
        const bool client_tools = c["tools"].as_array().size() > 1;
        if (thinking) {
            c["toolChoice"] = json::object{{"auto", json::object{}}};
        } else if (!client_tools) {
            c["toolChoice"] = json::object{{"tool", json::object{{"name", helix::plugin_common::kJsonToolName}}}};
        } else if (r.tool_choice != HELIX_TOOL_CHOICE_NAMED) {
            c["toolChoice"] = json::object{{"any", json::object{}}}; // a client tool or the answer
        }
    }
    return json::serialize(body);
}

std::string converse_url(const Settings &settings, std::string_view upstream_model_id, bool stream) {
    return settings.endpoint + "/model/" + helix::aws::uri_encode(upstream_model_id, false) +
           (stream ? "/converse-stream" : "/converse");
}

void build_request(const Settings &settings, const helix_chat_request &r, helix::sdk::HttpRequest &out) {
    if (r.model.len == 0) invalid("the request names no model", "model");
    const std::string_view model = upstream_model_id(view(r.model));
    const bool stream = r.stream != 0;
    out.body = converse_body(r, model);
    out.method = "POST";
    out.url = converse_url(settings, model, stream);
    out.streaming_response = stream;
    out.headers.clear();
}

void authorize_request(std::string_view api_key, helix::sdk::HttpRequest &out) {
    out.headers.clear();
    out.add_header("content-type", "application/json");
    out.add_header("accept", out.streaming_response ? std::string(kEventStreamContentType) : "application/json");
    out.add_header("authorization", "Bearer " + std::string(api_key));
}

void sign_request(const Settings &settings, const helix::aws::Credentials &credentials, std::int64_t now_ms,
                  helix::sdk::HttpRequest &out) {
    const auto url = helix::aws::split_url(out.url);
    if (!url) throw Error(HELIX_ERR_CONFIG, "settings.endpoint does not make a usable URL");
    std::vector<helix::aws::HttpHeader> headers{
        {"content-type", "application/json"},
        {"accept", out.streaming_response ? std::string(kEventStreamContentType) : std::string("application/json")}};
    helix::aws::SigningOptions options;
    options.region = settings.region;
    options.service = kSigningName;
    options.time = std::chrono::sys_seconds(std::chrono::seconds(now_ms / 1000));
    options.add_content_sha256 = true; // as the JS SDK does; botocore leaves it out
    options.double_encode_path = true;
    options.normalize_path = true;
    const helix::aws::SigningResult signature =
        helix::aws::sign({out.method, url->path, url->query, url->host, headers, out.body, ""}, credentials, options);
    if (!signature.ok()) throw Error(HELIX_ERR_INTERNAL, "signing the Bedrock request failed: " + signature.error);
    helix::aws::apply_signature(headers, signature);
    out.headers.clear();
    for (auto &h : headers) out.add_header(std::move(h.name), std::move(h.value));
}

} // namespace helix::aws_bedrock
