#include "tools/cloudsim/anthropic_wire.hpp"

#include "daemon/api/media_source.hpp"
#include "daemon/api/sse_frame.hpp"
#include "tools/cloudsim/media_record.hpp"
#include "tools/cloudsim/prompt_cache.hpp"
#include "tools/cloudsim/thinking.hpp"
#include "tools/cloudsim/wire_util.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>

namespace helix::cloudsim::anthropic {

using api::sse_event;

namespace {

namespace json = boost::json;

constexpr std::size_t kArgumentFragmentBytes = 8;

struct ModelInfo {
    std::string_view id;
    std::string_view display_name;
    std::string_view created_at;
};

constexpr std::array<ModelInfo, 6> kModels{{
    {"claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z"},
    {"claude-opus-4-1-20250805", "Claude Opus 4.1", "2025-08-05T00:00:00Z"},
    {"claude-3-7-sonnet-20250219", "Claude Sonnet 3.7", "2025-02-24T00:00:00Z"},
    {"claude-3-5-haiku-20241022", "Claude Haiku 3.5", "2024-10-22T00:00:00Z"},
    {"claude-3-sonnet-20240229", "Claude Sonnet 3", "2024-02-29T00:00:00Z"},
    {"claude-3-haiku-20240307", "Claude Haiku 3", "2024-03-07T00:00:00Z"},
}};

ApiError invalid(std::string message) {
    ApiError e;
    e.message = std::move(message);
    return e;
}

// Text of a string or of the text blocks of a block list; nullopt for a wrong type.
std::optional<std::string> blocks_text(const json::value &content) {
    if (content.is_string()) return std::string(content.get_string());
    if (!content.is_array()) return std::nullopt;
    std::string out;
    for (const auto &block : content.get_array()) {
        const auto *obj = block.if_object();
        if (!obj) return std::nullopt;
        if (string_member(*obj, "type").value_or("") != "text") continue;
        const auto text = string_member(*obj, "text");
        if (!text) return std::nullopt;
        if (!out.empty()) out.push_back('\n');
        out.append(*text);
    }
    return out;
}

// Earlier thinking sent back must be exactly what the simulator signed.
bool check_thinking_block(const json::object &block, std::string_view type, const std::string &where, ApiError &error) {
    if (type == "thinking") {
        const auto text = string_member(block, "thinking");
        const auto signature = string_member(block, "signature");
        if (!text || !signature) {
            error = invalid(where + (text ? ".signature" : ".thinking") + ": Field required");
            return false;
        }
        if (!valid_signature(*text, *signature)) {
            error = invalid(where + ": Invalid `signature` in `thinking` block");
            return false;
        }
    } else {
        const auto data = string_member(block, "data");
        if (!data || !valid_redacted_data(*data)) {
            error = invalid(where + ": Invalid `data` in `redacted_thinking` block");
            return false;
        }
    }
    return true;
}

// With thinking on, the assistant turn a tool result answers must start with
// its thinking (Anthropic: "a final assistant message must start with a
// thinking block").
bool check_tool_turn_thinking(const json::array &list, ApiError &error) {
    if (list.size() < 2) return true;
    const auto *last = list.back().if_object();
    const auto *prev = list[list.size() - 2].if_object();
    if (!last || !prev || string_member(*prev, "role").value_or("") != "assistant") return true;
    const auto *content = last->if_contains("content");
    bool tool_result = false;
    if (content && content->is_array()) {
        for (const auto &b : content->get_array())
            if (b.is_object() && string_member(b.get_object(), "type").value_or("") == "tool_result") tool_result = true;
    }
    if (!tool_result) return true;
    const auto *blocks = prev->if_contains("content");
    std::string_view first;
    if (blocks && blocks->is_array() && !blocks->get_array().empty() && blocks->get_array()[0].is_object())
        first = string_member(blocks->get_array()[0].get_object(), "type").value_or("");
    else if (blocks && blocks->is_string())
        first = "text";
    if (first == "thinking" || first == "redacted_thinking") return true;
    error = invalid("messages." + std::to_string(list.size() - 2) + ".content.0.type: Expected `thinking` or "
                    "`redacted_thinking`, but found `" + std::string(first) + "`. When `thinking` is enabled, a final "
                    "`assistant` message must start with a thinking block (preceeding the lastmost set of `tool_use` "
                    "and `tool_result` blocks). We recommend you include thinking blocks from previous turns.");
    return false;
}

bool has_cache_control(const json::value &block) {
    return block.is_object() && block.get_object().contains("cache_control");
}

// cache_control: {"type": "ephemeral", "ttl": "5m" | "1h"}.
bool check_cache_control(const json::value &block, const std::string &where, std::size_t &found, ApiError &error) {
    if (!has_cache_control(block)) return true;
    ++found;
    const auto *cc = block.get_object().at("cache_control").if_object();
    if (!cc || string_member(*cc, "type").value_or("") != "ephemeral") {
        error = invalid(where + ".cache_control.type: Input should be 'ephemeral'");
        return false;
    }
    const auto *ttl = cc->if_contains("ttl");
    if (ttl && !(ttl->is_string() && (ttl->get_string() == "5m" || ttl->get_string() == "1h"))) {
        error = invalid(where + ".cache_control.ttl: Input should be '5m' or '1h'");
        return false;
    }
    return true;
}

// The blocks of `list` and those nested in their content (tool results).
bool check_cache_controls(const json::value *list, const std::string &where, std::size_t &found, ApiError &error) {
    if (!list || !list->is_array()) return true;
    for (std::size_t i = 0; i < list->get_array().size(); ++i) {
        const json::value &block = list->get_array()[i];
        const std::string at = where + "." + std::to_string(i);
        if (!check_cache_control(block, at, found, error)) return false;
        if (block.is_object() && !check_cache_controls(block.get_object().if_contains("content"), at + ".content", found, error))
            return false;
    }
    return true;
}

// Every cache_control of tools, system and messages: valid, and at most four.
bool check_cache_controls(const json::object &root, ApiError &error) {
    std::size_t found = 0;
    if (!check_cache_controls(root.if_contains("tools"), "tools", found, error) ||
        !check_cache_controls(root.if_contains("system"), "system", found, error))
        return false;
    if (const auto *messages = root.if_contains("messages"); messages && messages->is_array())
        for (std::size_t i = 0; i < messages->get_array().size(); ++i)
            if (const auto *m = messages->get_array()[i].if_object())
                if (!check_cache_controls(m->if_contains("content"), "messages." + std::to_string(i) + ".content", found, error))
                    return false;
    if (found > 4) {
        error = invalid("A maximum of 4 blocks with cache_control may be provided. Found " + std::to_string(found) + ".");
        return false;
    }
    return true;
}

// An image or document block's source, as Anthropic checks it: base64 with
// a media type the block takes (images: jpeg, png, gif, webp; documents:
// application/pdf), text (documents, text/plain), url, or file. What
// arrived is kept in prompt.media (a url or file with its "uri").
bool check_media_source(const json::object &block, std::string_view type, const std::string &where, SimPrompt &prompt,
                        ApiError &error) {
    const auto *source = block.if_contains("source");
    const auto *s = source ? source->if_object() : nullptr;
    const auto kind = s ? string_member(*s, "type") : std::nullopt;
    const bool document = type == "document";
    const auto name = string_member(block, "title").value_or("");
    if (!kind) {
        error = invalid(where + ".source: Field required");
        return false;
    }
    if (*kind == "base64") {
        const auto media = string_member(*s, "media_type").value_or("");
        const auto data = string_member(*s, "data");
        const bool media_ok = document ? media == "application/pdf"
                                       : (media == "image/jpeg" || media == "image/png" || media == "image/gif" ||
                                          media == "image/webp");
        if (!media_ok) {
            error = invalid(where + ".source.base64.media_type: Input should be " +
                            (document ? "'application/pdf'" : "'image/jpeg', 'image/png', 'image/gif' or 'image/webp'"));
            return false;
        }
        const auto bytes = data ? helix::api::base64_decode(*data) : std::nullopt;
        if (!bytes || bytes->empty()) {
            error = invalid(where + ".source.base64.data: the " + std::string(type) + " is not valid base64 data");
            return false;
        }
        prompt.media.push_back(media_record(type, media, name, *bytes));
    } else if (*kind == "text" && document) {
        const auto data = string_member(*s, "data");
        if (!data || string_member(*s, "media_type").value_or("") != "text/plain") {
            error = invalid(where + ".source.text: needs media_type 'text/plain' and data");
            return false;
        }
        add_prompt_text(prompt.all_text, prompt.prompt_tokens, *data);
        prompt.media.push_back(media_record(type, "text/plain", name, *data));
    } else if (*kind == "url" || *kind == "file") {
        const auto uri = string_member(*s, *kind == "url" ? "url" : "file_id");
        if (!uri || uri->empty()) {
            error = invalid(where + ".source." + std::string(*kind) + ": Field required");
            return false;
        }
        prompt.media.push_back(media_uri_record(type, *kind, name, *uri));
    } else {
        error = invalid(where + ".source: Input tag '" + std::string(*kind) + "' found using 'type' does not match any of "
                        "the expected tags: 'base64', " + (document ? "'text', " : "") + "'url', 'file'");
        return false;
    }
    return true;
}

bool parse_messages(const json::object &root, SimPrompt &prompt, ApiError &error) {
    if (!check_cache_controls(root, error)) return false;
    if (const auto *system = root.if_contains("system"); system && !system->is_null()) {
        const auto text = blocks_text(*system);
        if (!text) {
            error = invalid("system: Input should be a valid string or a list of text blocks");
            return false;
        }
        prompt.system_text = *text;
        if (!system->is_array()) {
            add_prompt_text(prompt.all_text, prompt.prompt_tokens, *text);
        } else {
            for (const auto &block : system->get_array()) { // each text counted apart: a breakpoint may follow it
                const auto &o = block.get_object();
                if (string_member(o, "type").value_or("") == "text")
                    add_prompt_text(prompt.all_text, prompt.prompt_tokens, *string_member(o, "text"));
                if (has_cache_control(block)) mark_cache_point(prompt);
            }
        }
    }
    const auto *messages = root.if_contains("messages");
    if (!messages) {
        error = invalid("messages: Field required");
        return false;
    }
    if (!messages->is_array()) {
        error = invalid("messages: Input should be a valid list");
        return false;
    }
    const auto &list = messages->get_array();
    if (list.empty()) {
        error = invalid("messages: at least one message is required");
        return false;
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string where = "messages." + std::to_string(i);
        const auto *msg = list[i].if_object();
        if (!msg) {
            error = invalid(where + ": Input should be a valid dictionary");
            return false;
        }
        const auto role = string_member(*msg, "role");
        if (!role || (*role != "user" && *role != "assistant")) {
            error = invalid(where + ".role: Input should be 'user' or 'assistant'");
            return false;
        }
        const auto *content = msg->if_contains("content");
        if (!content) {
            error = invalid(where + ".content: Field required");
            return false;
        }
        const bool last = i + 1 == list.size();
        std::string text;
        std::string pending; // text not yet counted: a breakpoint counts it first
        std::string tool_results;
        bool has_tool_result = false;
        if (content->is_string()) {
            text = std::string(content->get_string());
            pending = text;
        } else if (content->is_array()) {
            for (std::size_t b = 0; b < content->get_array().size(); ++b) {
                const auto *block = content->get_array()[b].if_object();
                const auto type = block ? string_member(*block, "type") : std::nullopt;
                if (!type) {
                    error = invalid(where + ".content." + std::to_string(b) + ".type: Field required");
                    return false;
                }
                if (*type == "text") {
                    const auto t = string_member(*block, "text");
                    if (!t) {
                        error = invalid(where + ".content." + std::to_string(b) + ".text: Field required");
                        return false;
                    }
                    if (t->empty()) {
                        error = invalid(where + ": text content blocks must be non-empty");
                        return false;
                    }
                    if (!text.empty()) text.push_back('\n');
                    text.append(*t);
                    if (!pending.empty()) pending.push_back('\n');
                    pending.append(*t);
                } else if (*type == "thinking" || *type == "redacted_thinking") {
                    if (*role != "assistant") {
                        error = invalid(where + ".content." + std::to_string(b) + ": thinking blocks are only allowed in assistant messages");
                        return false;
                    }
                    if (!check_thinking_block(*block, *type, where + ".content." + std::to_string(b), error)) return false;
                } else if (*type == "tool_use") {
                    if (const auto name = string_member(*block, "name"))
                        add_prompt_text(prompt.all_text, prompt.prompt_tokens, *name);
                    if (const auto *input = block->if_contains("input"))
                        add_prompt_text(prompt.all_text, prompt.prompt_tokens, json::serialize(*input));
                } else if (*type == "tool_result") {
                    if (!string_member(*block, "tool_use_id")) {
                        error = invalid(where + ".content." + std::to_string(b) + ".tool_use_id: Field required");
                        return false;
                    }
                    std::string result;
                    if (const auto *c = block->if_contains("content")) result = blocks_text(*c).value_or("");
                    add_prompt_text(prompt.all_text, prompt.prompt_tokens, result);
                    if (has_tool_result) tool_results.push_back('\n');
                    tool_results += result;
                    has_tool_result = true;
                }
                else if (*type == "image" || *type == "document") {
                    if (!check_media_source(*block, *type, where + ".content." + std::to_string(b), prompt, error))
                        return false;
                }
                // image, document, thinking...: no text, no tokens.
                if (has_cache_control(*block)) { // the prefix up to and including this block
                    if (!pending.empty()) add_prompt_text(prompt.all_text, prompt.prompt_tokens, pending);
                    pending.clear();
                    mark_cache_point(prompt);
                }
            }
        } else {
            error = invalid(where + ".content: Input should be a valid string or a list of content blocks");
            return false;
        }
        if (!pending.empty()) add_prompt_text(prompt.all_text, prompt.prompt_tokens, pending);
        if (*role == "user") prompt.last_user_text = text;
        if (last && *role == "user" && has_tool_result) {
            prompt.ends_with_tool_result = true;
            prompt.tool_result_text = std::move(tool_results);
        }
    }
    if (prompt.thinking_budget && !check_tool_turn_thinking(list, error)) return false;
    return true;
}

// thinking: {"type": "enabled", "budget_tokens": N} (N >= 1024, below max_tokens) or {"type": "disabled"}.
bool parse_thinking(const json::object &root, SimPrompt &prompt, ApiError &error) {
    const auto *thinking = root.if_contains("thinking");
    if (!thinking || thinking->is_null()) return true;
    const auto type = thinking->is_object() ? string_member(thinking->get_object(), "type") : std::nullopt;
    if (!type || (*type != "enabled" && *type != "disabled")) {
        error = invalid("thinking: Input tag found using 'type' does not match any of the expected tags: 'enabled', 'disabled'");
        return false;
    }
    if (*type == "disabled") return true;
    const auto budget = uint_member(thinking->get_object(), "budget_tokens");
    if (!budget || *budget < 1024) {
        error = invalid("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024");
        return false;
    }
    if (prompt.max_tokens && *budget >= *prompt.max_tokens) {
        error = invalid("`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at "
                        "https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size");
        return false;
    }
    prompt.thinking_budget = *budget;
    return true;
}

bool parse_tools(const json::object &root, SimPrompt &prompt, ApiError &error) {
    if (const auto *tools = root.if_contains("tools"); tools && !tools->is_null()) {
        if (!tools->is_array()) {
            error = invalid("tools: Input should be a valid list");
            return false;
        }
        const auto &list = tools->get_array();
        for (std::size_t i = 0; i < list.size(); ++i) {
            const auto *tool = list[i].if_object();
            const auto name = tool ? string_member(*tool, "name") : std::nullopt;
            if (!name || name->empty()) {
                error = invalid("tools." + std::to_string(i) + ".name: Field required");
                return false;
            }
            const auto *schema = tool->if_contains("input_schema");
            if (!schema) {
                if (tool->contains("type")) continue; // a server tool (web search, ...): not simulated
                error = invalid("tools." + std::to_string(i) + ".input_schema: Field required");
                return false;
            }
            prompt.tools.push_back(ToolSpec{std::string(*name), *schema});
        }
    }
    const auto *choice = root.if_contains("tool_choice");
    if (!choice || choice->is_null()) return true;
    const auto type = choice->is_object() ? string_member(choice->get_object(), "type") : std::nullopt;
    if (!type) {
        error = invalid("tool_choice: Input should be a valid dictionary with a 'type'");
        return false;
    }
    if (*type == "auto") prompt.tool_choice = ToolChoice::automatic;
    else if (*type == "none") prompt.tool_choice = ToolChoice::none;
    else if (*type == "any") prompt.tool_choice = ToolChoice::required;
    else if (*type == "tool") {
        const auto name = string_member(choice->get_object(), "name");
        if (!name) {
            error = invalid("tool_choice.tool.name: Field required");
            return false;
        }
        prompt.tool_choice = ToolChoice::named;
        prompt.tool_choice_name = std::string(*name);
        bool offered = false;
        for (const auto &t : prompt.tools) offered = offered || t.name == *name;
        if (!offered) {
            error = invalid("Tool '" + prompt.tool_choice_name + "' not found in provided tools");
            return false;
        }
    } else {
        error = invalid("tool_choice.type: Input tag '" + std::string(*type) +
                        "' found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'");
        return false;
    }
    return true;
}

json::object usage_object(const Reply &reply, std::uint64_t output_tokens) {
    // input_tokens: the prompt tokens neither read from nor written to the cache.
    return json::object{{"input_tokens", reply.prompt_tokens - reply.cache_read_tokens - reply.cache_write_tokens},
                        {"cache_creation_input_tokens", reply.cache_write_tokens},
                        {"cache_read_input_tokens", reply.cache_read_tokens},
                        {"output_tokens", output_tokens},
                        {"service_tier", "standard"}};
}

// `stop` empty: "stop_reason": null (a message_start).
json::object message_object(const Reply &reply, const ReplyMeta &meta, json::array content, std::string_view stop,
                            std::uint64_t output_tokens) {
    json::object m;
    m["id"] = meta.id;
    m["type"] = "message";
    m["role"] = "assistant";
    m["model"] = meta.model;
    m["content"] = std::move(content);
    m["stop_reason"] = stop.empty() ? json::value(nullptr) : json::value(stop);
    m["stop_sequence"] = nullptr;
    m["usage"] = usage_object(reply, output_tokens);
    return m;
}

std::string tool_use_id(const ToolCall &call) { return "toolu_01" + call.id_suffix; }

std::string event(std::string_view type, const json::object &data) { return sse_event(type, json::serialize(data)); }

json::object model_object(const ModelInfo &m) {
    return json::object{{"type", "model"}, {"id", m.id}, {"display_name", m.display_name}, {"created_at", m.created_at}};
}

} // namespace

std::optional<MessagesRequest> parse_messages_request(std::string_view body, ApiError &error, bool count_tokens) {
    boost::system::error_code ec;
    json::value doc = json::parse(body, ec);
    if (ec) {
        error = invalid("There was an error parsing the body of your request: it is not valid JSON");
        return std::nullopt;
    }
    if (!doc.is_object()) {
        error = invalid("Input should be a valid dictionary");
        return std::nullopt;
    }
    const auto &root = doc.get_object();
    MessagesRequest req;
    const auto model = string_member(root, "model");
    if (!model || model->empty()) {
        error = invalid("model: Field required");
        return std::nullopt;
    }
    req.prompt.model = std::string(*model);
    const auto *max_tokens = root.if_contains("max_tokens");
    if (count_tokens) {
        if (!parse_messages(root, req.prompt, error) || !parse_tools(root, req.prompt, error)) return std::nullopt;
        return req;
    }
    if (!max_tokens) {
        error = invalid("max_tokens: Field required");
        return std::nullopt;
    }
    const auto mt = uint_member(root, "max_tokens");
    if (!mt || *mt < 1) {
        error = invalid("max_tokens: Input should be greater than or equal to 1");
        return std::nullopt;
    }
    req.prompt.max_tokens = *mt;
    if (!parse_thinking(root, req.prompt, error)) return std::nullopt;
    if (!parse_messages(root, req.prompt, error) || !parse_tools(root, req.prompt, error)) return std::nullopt;
    if (const auto *s = root.if_contains("stream"); s && !s->is_null()) {
        if (!s->is_bool()) {
            error = invalid("stream: Input should be a valid boolean");
            return std::nullopt;
        }
        req.stream = s->get_bool();
    }
    return req;
}

std::string error_body(const ApiError &error, std::string_view request_id) {
    return json::serialize(json::object{{"type", "error"},
                                        {"error", json::object{{"type", error.type}, {"message", error.message}}},
                                        {"request_id", request_id}});
}

std::string stop_reason(FinishReason finish) {
    switch (finish) {
    case FinishReason::stop: return "end_turn";
    case FinishReason::length: return "max_tokens";
    case FinishReason::tool_call: return "tool_use";
    }
    return "end_turn";
}

std::string message_body(const Reply &reply, const ReplyMeta &meta) {
    json::array content;
    if (!reply.thinking.empty())
        content.push_back(json::object{{"type", "thinking"}, {"thinking", reply.thinking}, {"signature", reply.thinking_signature}});
    if (!reply.redacted_thinking.empty())
        content.push_back(json::object{{"type", "redacted_thinking"}, {"data", reply.redacted_thinking}});
    if (reply.tool_call) {
        boost::system::error_code ec;
        json::value input = json::parse(reply.tool_call->arguments, ec);
        if (ec) input = json::object();
        content.push_back(json::object{{"type", "tool_use"},
                                       {"id", tool_use_id(*reply.tool_call)},
                                       {"name", reply.tool_call->name},
                                       {"input", std::move(input)}});
    } else {
        content.push_back(json::object{{"type", "text"}, {"text", reply.text()}});
    }
    return json::serialize(
        message_object(reply, meta, std::move(content), stop_reason(reply.finish), reply.completion_tokens));
}

EventStream::EventStream(const Reply &reply, ReplyMeta meta) : reply_(reply), meta_(std::move(meta)) {
    if (reply_.tool_call) fragments_ = split_fragments(reply_.tool_call->arguments, kArgumentFragmentBytes);
    // Thinking first, as Claude streams it: the text in pieces, then the signature.
    const auto block_event = [&](std::string_view type, json::object data) {
        data["type"] = type;
        data["index"] = main_index_;
        thinking_frames_.push_back(event(type, data));
    };
    if (!reply_.thinking.empty()) {
        block_event("content_block_start",
                    json::object{{"content_block", json::object{{"type", "thinking"}, {"thinking", ""}, {"signature", ""}}}});
        for (const std::string &piece : split_pieces(reply_.thinking))
            block_event("content_block_delta", json::object{{"delta", json::object{{"type", "thinking_delta"}, {"thinking", piece}}}});
        block_event("content_block_delta",
                    json::object{{"delta", json::object{{"type", "signature_delta"}, {"signature", reply_.thinking_signature}}}});
        block_event("content_block_stop", json::object{});
        ++main_index_;
    }
    if (!reply_.redacted_thinking.empty()) {
        block_event("content_block_start",
                    json::object{{"content_block", json::object{{"type", "redacted_thinking"}, {"data", reply_.redacted_thinking}}}});
        block_event("content_block_stop", json::object{});
        ++main_index_;
    }
}

std::size_t EventStream::token_frames() const {
    return reply_.tool_call ? fragments_.size() : reply_.pieces.size();
}

bool EventStream::next(Frame &frame) {
    frame.token = false;
    switch (step_) {
    case Step::message_start:
        frame.bytes = event("message_start",
                            json::object{{"type", "message_start"},
                                         {"message", message_object(reply_, meta_, json::array(), {}, 1)}});
        step_ = Step::thinking;
        return true;
    case Step::thinking:
        if (thinking_index_ < thinking_frames_.size()) {
            frame.bytes = thinking_frames_[thinking_index_++];
            return true;
        }
        step_ = Step::block_start;
        [[fallthrough]];
    case Step::block_start: {
        json::object block;
        if (reply_.tool_call) {
            block = json::object{{"type", "tool_use"},
                                 {"id", tool_use_id(*reply_.tool_call)},
                                 {"name", reply_.tool_call->name},
                                 {"input", json::object()}};
        } else {
            block = json::object{{"type", "text"}, {"text", ""}};
        }
        frame.bytes = event("content_block_start",
                            json::object{{"type", "content_block_start"}, {"index", main_index_}, {"content_block", std::move(block)}});
        step_ = Step::ping;
        return true;
    }
    case Step::ping:
        frame.bytes = event("ping", json::object{{"type", "ping"}});
        step_ = reply_.tool_call ? Step::empty_json : Step::tokens;
        return true;
    case Step::empty_json:
        frame.bytes = event("content_block_delta",
                            json::object{{"type", "content_block_delta"},
                                         {"index", main_index_},
                                         {"delta", json::object{{"type", "input_json_delta"}, {"partial_json", ""}}}});
        step_ = Step::tokens;
        return true;
    case Step::tokens:
        if (index_ < token_frames()) {
            json::object delta = reply_.tool_call
                                     ? json::object{{"type", "input_json_delta"}, {"partial_json", fragments_[index_]}}
                                     : json::object{{"type", "text_delta"}, {"text", reply_.pieces[index_]}};
            ++index_;
            frame.bytes = event("content_block_delta",
                                json::object{{"type", "content_block_delta"}, {"index", main_index_}, {"delta", std::move(delta)}});
            frame.token = true;
            return true;
        }
        step_ = Step::block_stop;
        [[fallthrough]];
    case Step::block_stop:
        frame.bytes = event("content_block_stop", json::object{{"type", "content_block_stop"}, {"index", main_index_}});
        step_ = Step::message_delta;
        return true;
    case Step::message_delta: {
        json::object usage = usage_object(reply_, reply_.completion_tokens);
        usage.erase("service_tier");
        frame.bytes = event("message_delta",
                            json::object{{"type", "message_delta"},
                                         {"delta", json::object{{"stop_reason", stop_reason(reply_.finish)},
                                                                {"stop_sequence", nullptr}}},
                                         {"usage", std::move(usage)}});
        step_ = Step::message_stop;
        return true;
    }
    case Step::message_stop:
        frame.bytes = event("message_stop", json::object{{"type", "message_stop"}});
        step_ = Step::end;
        return true;
    case Step::end: return false;
    }
    return false;
}

std::string malformed_event() {
    return sse_event("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"trunc)");
}

std::string models_body() {
    json::array data;
    for (const auto &m : kModels) data.push_back(model_object(m));
    return json::serialize(json::object{{"data", std::move(data)},
                                        {"has_more", false},
                                        {"first_id", kModels.front().id},
                                        {"last_id", kModels.back().id}});
}

std::optional<std::string> model_body(std::string_view id) {
    for (const auto &m : kModels) {
        if (m.id == id) return json::serialize(model_object(m));
    }
    return std::nullopt;
}

} // namespace helix::cloudsim::anthropic
