#include "plugins/anthropic/anthropic_request.hpp"

#include "plugins/common/document_part.hpp"
#include "plugins/common/image_url.hpp"
#include "plugins/common/message_walk.hpp"
#include "plugins/common/reasoning.hpp"
#include "plugins/common/request_helpers.hpp"
#include "plugins/common/structured_output.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>

namespace helix::anthropic {

namespace {

namespace json = boost::json;
using helix::sdk::Error;
using helix::sdk::view;

using helix::plugin_common::walk_messages;
using helix::plugin_common::ImageUrl;
using helix::plugin_common::Turn;
using helix::plugin_common::invalid;
using helix::plugin_common::jv;
using helix::plugin_common::parse_client_json;
using helix::plugin_common::parse_image_url;
using helix::plugin_common::message_path;
using helix::plugin_common::unsupported;

// A prompt-cache breakpoint: {"type": "ephemeral"}, with "ttl": "1h" for the
// long one (an unknown newer value: the default lifetime).
json::object cache_control_json(std::uint32_t cache) {
    json::object cc{{"type", "ephemeral"}};
    if (cache == HELIX_CACHE_EPHEMERAL_1H) cc["ttl"] = "1h";
    return cc;
}

void mark(json::value &block, std::uint32_t cache) {
    if (cache != HELIX_CACHE_NONE) block.as_object()["cache_control"] = cache_control_json(cache);
}

// An image_url part as an Anthropic image block.
json::object image_block(std::string_view url, const std::string &param) {
    const ImageUrl image = parse_image_url(url, param);
    if (image.kind == ImageUrl::Kind::url)
        return json::object{{"type", "image"}, {"source", json::object{{"type", "url"}, {"url", jv(image.url)}}}};
    static constexpr std::array<std::string_view, 4> supported{"image/jpeg", "image/png", "image/gif", "image/webp"};
    if (std::find(supported.begin(), supported.end(), image.media_type) == supported.end())
        unsupported(param + ": Anthropic accepts image/jpeg, image/png, image/gif and image/webp images, not '" +
                        (image.media_type.empty() ? std::string("(none)") : image.media_type.substr(0, 64)) + "'",
                    param);
    return json::object{{"type", "image"},
                        {"source", json::object{{"type", "base64"}, {"media_type", image.media_type}, {"data", jv(image.data)}}}};
}

// A document part as an Anthropic document block: a PDF as base64 or by URL,
// plain text as a text source; the file name as its title.
json::object document_block(const helix_content_part &p, const std::string &param) {
    const helix::plugin_common::DocumentPart d = helix::plugin_common::document_part(p, param);
    json::object source;
    if (d.source == HELIX_SOURCE_URL && (d.media_type.empty() || d.media_type == "application/pdf")) {
        source = json::object{{"type", "url"}, {"url", jv(d.uri)}};
    } else if (d.source == HELIX_SOURCE_BYTES && d.media_type == "application/pdf") {
        source = json::object{{"type", "base64"}, {"media_type", "application/pdf"},
                              {"data", helix::plugin_common::base64_encode(d.bytes)}};
    } else if (d.source == HELIX_SOURCE_BYTES && d.media_type == "text/plain") {
        json::string text(jv(d.bytes));
        source = json::object{{"type", "text"}, {"media_type", "text/plain"}, {"data", std::move(text)}};
    } else if (d.source == HELIX_SOURCE_BYTES || d.source == HELIX_SOURCE_URL) {
        unsupported(param + ": Anthropic takes PDF and plain-text documents, not '" +
                        (d.media_type.empty() ? std::string("(unknown type)") : d.media_type.substr(0, 80)) + "'",
                    param);
    } else {
        unsupported(param + ": Anthropic takes a document as bytes or by an http(s) URL, not as the file '" +
                        std::string(d.uri.substr(0, 80)) + "'",
                    param);
    }
    json::object block{{"type", "document"}, {"source", std::move(source)}};
    if (!d.filename.empty()) block["title"] = jv(d.filename);
    return block;
}

// An assistant message's earlier reasoning, first in its content as Claude
// requires: signed thinking blocks and redacted_thinking blocks, byte for
// byte. An unsigned block (or one from another provider) could only be
// refused, so it is left out.
void thinking_blocks(const helix_message &m, json::array &blocks) {
    for (std::size_t j = 0; j < m.reasoning_count; ++j) {
        const helix_reasoning_block &b = *m.reasoning[j];
        if (!helix::plugin_common::same_format(b, kReasoningFormat)) continue;
        if (b.kind == HELIX_REASONING_REDACTED && b.redacted_data.len > 0) {
            blocks.push_back(json::object{{"type", "redacted_thinking"}, {"data", jv(b.redacted_data)}});
        } else if (b.kind == HELIX_REASONING_TEXT && b.signature.len > 0) {
            blocks.push_back(json::object{{"type", "thinking"}, {"thinking", jv(b.text)}, {"signature", jv(b.signature)}});
        }
    }
}

// Text and image blocks of a message's content; empty texts are left out.
void content_blocks(const helix_message &m, std::size_t index, json::array &blocks) {
    if (m.role == HELIX_ROLE_ASSISTANT) thinking_blocks(m, blocks);
    if (m.parts == nullptr) {
        if (m.text.len > 0) blocks.push_back(json::object{{"type", "text"}, {"text", jv(m.text)}});
        return;
    }
    for (std::size_t j = 0; j < m.part_count; ++j) {
        const helix_content_part &p = *m.parts[j];
        if (p.type == HELIX_PART_IMAGE_URL) {
            blocks.push_back(image_block(view(p.image_url), message_path(index) + ".content[" + std::to_string(j) +
                                                                "].image_url.url"));
        } else if (p.type == HELIX_PART_DOCUMENT) {
            blocks.push_back(document_block(p, message_path(index) + ".content[" + std::to_string(j) + "]"));
        } else if (p.text.len > 0) {
            blocks.push_back(json::object{{"type", "text"}, {"text", jv(p.text)}});
        } else {
            continue;
        }
        mark(blocks.back(), p.cache_control);
    }
}

// System prompts with cache breakpoints, as text blocks: one per part (or
// per message without parts), each marked as its part or message is.
bool system_has_breakpoints(const helix_chat_request &r) {
    for (std::size_t i = 0; i < r.message_count; ++i) {
        const helix_message &m = *r.messages[i];
        if (m.role != HELIX_ROLE_SYSTEM && m.role != HELIX_ROLE_DEVELOPER) continue;
        if (m.cache_control != HELIX_CACHE_NONE) return true;
        for (std::size_t j = 0; j < m.part_count; ++j)
            if (m.parts[j]->cache_control != HELIX_CACHE_NONE) return true;
    }
    return false;
}

void system_blocks(const helix_message &m, json::array &blocks) {
    const std::size_t first = blocks.size();
    if (m.parts == nullptr) {
        if (m.text.len > 0) blocks.push_back(json::object{{"type", "text"}, {"text", jv(m.text)}});
    } else {
        for (std::size_t j = 0; j < m.part_count; ++j) {
            const helix_content_part &p = *m.parts[j];
            if (p.text.len == 0) continue;
            blocks.push_back(json::object{{"type", "text"}, {"text", jv(p.text)}});
            mark(blocks.back(), p.cache_control);
        }
    }
    if (blocks.size() > first) mark(blocks.back(), m.cache_control);
}

std::string system_text(const helix_message &m, std::size_t index) {
    if (m.parts == nullptr) return std::string(view(m.text));
    std::string text;
    for (std::size_t j = 0; j < m.part_count; ++j) {
        const helix_content_part &p = *m.parts[j];
        if (p.type != HELIX_PART_TEXT)
            unsupported("Anthropic's system prompt takes text only; " + message_path(index) + " has an image",
                        message_path(index) + ".content[" + std::to_string(j) + "]");
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
    if (arguments.find_first_not_of(" \t\r\n") != std::string_view::npos) {
        input = parse_client_json(arguments, path + ".function.arguments", "tool arguments must be a JSON object");
        if (!input.is_object()) invalid(path + ".function.arguments must be a JSON object", path + ".function.arguments");
    }
    return json::object{{"type", "tool_use"}, {"id", jv(c.id)}, {"name", jv(c.name)}, {"input", std::move(input)}};
}

json::object tool_result_block(const helix_message &m, std::size_t index) {
    if (m.tool_call_id.len == 0) invalid(message_path(index) + ".tool_call_id is required", message_path(index) + ".tool_call_id");
    json::object block{{"type", "tool_result"}, {"tool_use_id", jv(m.tool_call_id)}};
    if (m.parts == nullptr) {
        if (m.text.len > 0) block["content"] = jv(m.text);
    } else {
        json::array blocks;
        content_blocks(m, index, blocks);
        if (!blocks.empty()) block["content"] = std::move(blocks);
    }
    return block;
}

// messages; the system prompt as one text, or (with breakpoints) as blocks.
json::array build_messages(const helix_chat_request &r, std::string &system, json::array &system_list) {
    const bool system_breakpoints = system_has_breakpoints(r);
    std::vector<Turn> turns = walk_messages(
        r, {.assistant_role = "assistant",
            .system =
                [&](const helix_message &m, std::size_t i) {
                    const std::string text = system_text(m, i); // also refuses what is not text
                    if (system_breakpoints)
                        system_blocks(m, system_list);
                    else if (!text.empty())
                        system += (system.empty() ? "" : "\n\n") + text;
                },
            .content = content_blocks,
            .tool_call = tool_use_block,
            .tool_result = tool_result_block,
            .cache_point = [](std::uint32_t cache, json::array &blocks) { mark(blocks.back(), cache); }});
    json::array messages;
    for (Turn &t : turns) {
        if (std::string_view(t.role) == "user") {
            // Anthropic wants the tool results of a user turn before anything else in it.
            std::stable_partition(t.blocks.begin(), t.blocks.end(), [](const json::value &b) {
                return b.get_object().at("type") == "tool_result";
            });
        }
        messages.push_back(json::object{{"role", t.role}, {"content", std::move(t.blocks)}});
    }
    return messages;
}

json::array build_tools(const helix_chat_request &r) {
    json::array tools;
    for (std::size_t i = 0; i < r.tool_count; ++i) {
        const helix_tool &t = *r.tools[i];
        const std::string path = "tools[" + std::to_string(i) + "].function";
        if (t.name.len == 0) invalid(path + ".name is required", path + ".name");
        json::object tool{{"name", jv(t.name)}};
        if (t.description.len > 0) tool["description"] = jv(t.description);
        json::value schema = json::object{{"type", "object"}};
        if (view(t.parameters_json).find_first_not_of(" \t\r\n") != std::string_view::npos) {
            schema = parse_client_json(view(t.parameters_json), path + ".parameters", "a JSON Schema object");
            if (!schema.is_object()) invalid(path + ".parameters must be a JSON Schema object", path + ".parameters");
            // Anthropic requires an object schema; OpenAI allows leaving "type" out.
            if (!schema.get_object().contains("type")) schema.get_object()["type"] = "object";
        }
        tool["input_schema"] = std::move(schema);
        if (t.cache_control != HELIX_CACHE_NONE) tool["cache_control"] = cache_control_json(t.cache_control);
        tools.push_back(std::move(tool));
    }
    return tools;
}

} // namespace

json::object messages_body(const helix_chat_request &r, std::int64_t max_tokens_default) {
    if (r.model.len == 0) invalid("the request names no model", "model");
    if (r.n > 1) unsupported("Anthropic returns one choice per request; set n to 1 (or leave it out)", "n");

    json::object body;
    body["model"] = jv(r.model);
    body["max_tokens"] = (r.present & HELIX_HAS_MAX_TOKENS) != 0 ? r.max_tokens : max_tokens_default;
    const auto thinking = helix::plugin_common::claude_thinking(r, max_tokens_default);
    const auto json_tool = helix::plugin_common::json_tool(r);
    if (thinking) {
        body["max_tokens"] = thinking->max_tokens;
        body["thinking"] = json::object{{"type", "enabled"}, {"budget_tokens", thinking->budget}};
    }
    std::string system;
    json::array system_list;
    json::array messages = build_messages(r, system, system_list);
    if (messages.empty())
        invalid("the request has no user or assistant message with content; Anthropic needs at least one", "messages");
    // Claude refuses a forced tool while it thinks: then it is asked to use it.
    if (json_tool && thinking) {
        if (!system_list.empty())
            system_list.push_back(json::object{{"type", "text"}, {"text", kJsonToolInstruction}});
        else
            system += (system.empty() ? "" : "\n\n") + std::string(kJsonToolInstruction);
    }
    if (!system_list.empty())
        body["system"] = std::move(system_list);
    else if (!system.empty())
        body["system"] = json::string(jv(system));
    body["messages"] = std::move(messages);

    if (r.tool_count > 0) {
        body["tools"] = build_tools(r);
        json::object choice;
        switch (r.tool_choice) {
        case HELIX_TOOL_CHOICE_NONE:
            choice["type"] = "none";
            break;
        case HELIX_TOOL_CHOICE_REQUIRED:
            choice["type"] = "any";
            break;
        case HELIX_TOOL_CHOICE_NAMED:
            if (r.tool_choice_name.len == 0) invalid("tool_choice names no function", "tool_choice.function.name");
            choice["type"] = "tool";
            choice["name"] = jv(r.tool_choice_name);
            break;
        case HELIX_TOOL_CHOICE_AUTO:
            choice["type"] = "auto";
            break;
        case HELIX_TOOL_CHOICE_UNSET:
            if (r.parallel_tool_calls == 0) choice["type"] = "auto";
            break;
        }
        if (r.parallel_tool_calls == 0 && r.tool_choice != HELIX_TOOL_CHOICE_NONE)
            choice["disable_parallel_tool_use"] = true;
        if (!choice.empty()) body["tool_choice"] = std::move(choice);
    } else if (r.tool_choice == HELIX_TOOL_CHOICE_REQUIRED || r.tool_choice == HELIX_TOOL_CHOICE_NAMED) {
        invalid("tool_choice asks for a tool call but the request has no tools", "tool_choice");
    }

    if (json_tool) {
        // Structured output: one more tool, whose input is the answer.
        json::value &tools = body["tools"];
        if (!tools.is_array()) tools = json::array{};
        tools.as_array().push_back(json::object{{"name", helix::plugin_common::kJsonToolName},
                                                {"description", json_tool->description},
                                                {"input_schema", json_tool->schema}});
        if (thinking) {
            body["tool_choice"] = json::object{{"type", "auto"}};
        } else if (r.tool_count == 0 || r.tool_choice == HELIX_TOOL_CHOICE_NONE) {
            body["tool_choice"] = json::object{{"type", "tool"}, {"name", helix::plugin_common::kJsonToolName}};
        } else if (r.tool_choice != HELIX_TOOL_CHOICE_NAMED) {
            body["tool_choice"] = json::object{{"type", "any"}}; // a client tool or the answer
        }
    }

    if (r.stop_count > 0) {
        json::array stop;
        for (std::size_t i = 0; i < r.stop_count; ++i) stop.push_back(json::string(jv(r.stop[i])));
        body["stop_sequences"] = std::move(stop);
    }
    if ((r.present & HELIX_HAS_TEMPERATURE) != 0) body["temperature"] = std::clamp(r.temperature, 0.0, 1.0);
    if ((r.present & HELIX_HAS_TOP_P) != 0) body["top_p"] = r.top_p;
    if (r.user.len > 0) body["metadata"] = json::object{{"user_id", jv(r.user)}};
    if (r.stream != 0) body["stream"] = true;
    return body;
}

void build_request(const Settings &settings, const helix_chat_request &r, helix::sdk::HttpRequest &out) {
    if (settings.api_key.empty() && settings.needs_api_key())
        throw Error(HELIX_ERR_CONFIG, "settings.api_key is not set (ANTHROPIC_API_KEY); the provider cannot authenticate");
    const json::object body = messages_body(r, settings.max_tokens_default);
    const bool stream = r.stream != 0;
    out.method = "POST";
    out.url = settings.messages_url();
    out.headers.clear();
    if (!settings.api_key.empty()) out.add_header("x-api-key", settings.api_key);
    out.add_header("anthropic-version", settings.anthropic_version);
    if (!settings.anthropic_beta.empty()) out.add_header("anthropic-beta", settings.anthropic_beta);
    out.add_header("content-type", "application/json");
    out.add_header("accept", stream ? "text/event-stream" : "application/json");
    out.body = json::serialize(body);
    out.streaming_response = stream;
}

} // namespace helix::anthropic
