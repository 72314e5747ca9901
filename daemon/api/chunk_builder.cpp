#include "daemon/api/chunk_builder.hpp"

#include <boost/json/serialize.hpp>

namespace helix::api {

namespace json = boost::json;
using detail::to_view;

namespace {

json::array single(json::object entry) {
    json::array a;
    a.emplace_back(std::move(entry));
    return a;
}

} // namespace

ChunkBuilder::ChunkBuilder(std::string fallback_id, std::int64_t created, std::string model, bool include_usage)
    : id_(detail::sanitize_utf8(fallback_id)), created_(created), model_(detail::sanitize_utf8(model)),
      include_usage_(include_usage) {}

json::object ChunkBuilder::common_members() const {
    json::object c;
    c["id"] = id_;
    c["object"] = "chat.completion.chunk";
    c["created"] = created_;
    c["model"] = model_;
    for (const auto &member : sticky_) c[member.key()] = member.value();
    return c;
}

std::string ChunkBuilder::chunk(json::array choices, const json::object *response_extras, const json::value *usage) {
    json::object c = common_members();
    c["choices"] = std::move(choices);
    if (response_extras != nullptr) {
        for (const auto &member : *response_extras) c[member.key()] = member.value();
    }
    if (usage != nullptr) {
        c["usage"] = *usage;
    } else if (include_usage_) {
        c["usage"] = nullptr;
    }
    ++produced_;
    return json::serialize(c);
}

const std::string &ChunkBuilder::members_before_choices() {
    if (head_.empty()) {
        head_ = json::serialize(common_members());
        head_.back() = ','; // the object goes on: its closing brace becomes the separator
        head_ += "\"choices\":";
    }
    return head_;
}

std::string ChunkBuilder::text_chunk(std::uint32_t index, std::string_view text) {
    const std::string &head = members_before_choices();
    const std::string content = json::serialize(json::string_view(text.data(), text.size()));
    std::string out;
    out.reserve(head.size() + content.size() + 96);
    out.append(head).append("[{\"index\":").append(std::to_string(index)).append(",\"delta\":{\"content\":");
    out.append(content).append("},\"logprobs\":null,\"finish_reason\":null}]");
    if (include_usage_) out.append(",\"usage\":null");
    out.push_back('}');
    ++produced_;
    return out;
}

json::object ChunkBuilder::choice_entry(std::uint32_t index, json::object delta) {
    json::object entry;
    entry["index"] = index;
    entry["delta"] = std::move(delta);
    entry["logprobs"] = nullptr;
    entry["finish_reason"] = nullptr;
    return entry;
}

void ChunkBuilder::start(std::uint32_t index, Choice &c, bool content_null, std::vector<std::string> &out) {
    json::object delta;
    delta["role"] = "assistant";
    if (content_null) {
        delta["content"] = nullptr;
    } else {
        delta["content"] = "";
    }
    delta["refusal"] = nullptr;
    json::object entry = choice_entry(index, std::move(delta));
    for (const auto &member : c.pending_extras) entry[member.key()] = member.value();
    c.pending_extras.clear();
    c.started = true;
    out.push_back(chunk(single(std::move(entry))));
}

void ChunkBuilder::close(std::uint32_t index, Choice &c, std::uint32_t reason, std::vector<std::string> &out) {
    // Text held back as an incomplete UTF-8 sequence ends here.
    if (!c.carry.empty()) {
        std::string text;
        detail::flush_utf8(text, c.carry);
        json::object delta;
        delta["content"] = std::move(text);
        out.push_back(chunk(single(choice_entry(index, std::move(delta)))));
    }
    for (auto &[tool_index, call] : c.tool_calls) {
        if (call.carry.empty()) continue;
        std::string arguments;
        detail::flush_utf8(arguments, call.carry);
        json::object function;
        function["arguments"] = std::move(arguments);
        json::object fragment;
        fragment["index"] = tool_index;
        fragment["function"] = std::move(function);
        json::object delta;
        delta["tool_calls"] = single(std::move(fragment));
        out.push_back(chunk(single(choice_entry(index, std::move(delta)))));
    }
    json::object entry = choice_entry(index, json::object());
    entry["finish_reason"] = detail::finish_reason_name(reason, !c.tool_calls.empty());
    c.finished = true;
    out.push_back(chunk(single(std::move(entry))));
}

std::size_t ChunkBuilder::add(const helix_event &event, std::vector<std::string> &out) {
    if (done_) return 0;
    const std::size_t before = out.size();
    const bool choice_ok = event.choice < kMaxChoices;
    switch (event.type) {
    case HELIX_EVENT_START: {
        const std::string_view id = to_view(event.response_id);
        if (!id.empty() && produced_ == 0) {
            id_ = detail::sanitize_utf8(id);
            head_.clear();
        }
        const std::string_view served = to_view(event.model);
        if (!served.empty()) served_model_ = detail::sanitize_utf8(served);
        break;
    }
    case HELIX_EVENT_TEXT_DELTA: {
        if (!choice_ok) break;
        Choice &c = choices_[event.choice];
        if (!c.started) start(event.choice, c, false, out);
        std::string text;
        detail::append_utf8(text, to_view(event.text), c.carry);
        if (text.empty()) break;
        out.push_back(text_chunk(event.choice, text));
        break;
    }
    case HELIX_EVENT_REASONING_DELTA: {
        if (!choice_ok) break;
        Choice &c = choices_[event.choice];
        if (!c.started) start(event.choice, c, false, out);
        json::object piece = reasoning_entry(event, c.reasoning_slots.block(event.reasoning_index).index);
        json::object delta;
        if (const json::value *text = piece.if_contains("text")) delta["reasoning_content"] = *text;
        delta["reasoning_details"] = single(std::move(piece));
        out.push_back(chunk(single(choice_entry(event.choice, std::move(delta)))));
        break;
    }
    case HELIX_EVENT_TOOL_CALL_DELTA: {
        if (!choice_ok) break;
        Choice &c = choices_[event.choice];
        if (event.tool_signature.len > 0) {
            const auto known = c.tool_calls.find(event.tool_index);
            if (known == c.tool_calls.end()) break;
            json::object delta;
            delta["reasoning_details"] = single(
                tool_signature_entry(event, c.reasoning_slots.tool(event.tool_index).index, known->second.id));
            out.push_back(chunk(single(choice_entry(event.choice, std::move(delta)))));
            break;
        }
        if (!c.started) start(event.choice, c, true, out);
        const auto [it, first] = c.tool_calls.try_emplace(event.tool_index);
        ToolCall &call = it->second;
        std::string arguments;
        detail::append_utf8(arguments, to_view(event.tool_arguments), call.carry);
        json::object fragment;
        fragment["index"] = event.tool_index;
        json::object function;
        if (first) {
            const std::string_view id = to_view(event.tool_call_id);
            call.id = id.empty() ? detail::synthesize_tool_call_id(id_, event.choice, event.tool_index)
                                 : detail::sanitize_utf8(id);
            fragment["id"] = call.id;
            fragment["type"] = "function";
            std::string name = detail::sanitize_utf8(to_view(event.tool_name));
            call.name_sent = !name.empty();
            function["name"] = std::move(name);
            function["arguments"] = std::move(arguments);
        } else {
            if (!call.name_sent && event.tool_name.len > 0) {
                std::string name = detail::sanitize_utf8(to_view(event.tool_name));
                call.name_sent = !name.empty();
                if (!name.empty()) function["name"] = std::move(name);
            }
            if (!arguments.empty()) function["arguments"] = std::move(arguments);
            if (function.empty()) break; // nothing new to say
        }
        fragment["function"] = std::move(function);
        json::object delta;
        delta["tool_calls"] = single(std::move(fragment));
        out.push_back(chunk(single(choice_entry(event.choice, std::move(delta)))));
        break;
    }
    case HELIX_EVENT_FINISH: {
        if (!choice_ok) break;
        Choice &c = choices_[event.choice];
        if (c.finished) break;
        if (!c.started) start(event.choice, c, false, out);
        close(event.choice, c, event.finish_reason, out);
        break;
    }
    case HELIX_EVENT_USAGE:
        usage_.record(event);
        break;
    case HELIX_EVENT_EXTRA: {
        std::optional<detail::Extra> extra = detail::read_extra(event);
        if (!extra) break;
        if (extra->place == detail::ExtraPlace::response) {
            if (extra->member == "system_fingerprint" || extra->member == "service_tier") {
                sticky_[extra->member] = std::move(extra->value);
                head_.clear();
                break;
            }
            json::object members;
            members[extra->member] = std::move(extra->value);
            out.push_back(chunk(json::array(), &members));
            break;
        }
        if (!choice_ok) break;
        Choice &c = choices_[event.choice];
        if (!c.started) {
            c.pending_extras[extra->member] = std::move(extra->value);
            break;
        }
        json::object entry = choice_entry(event.choice, json::object());
        entry[extra->member] = std::move(extra->value);
        out.push_back(chunk(single(std::move(entry))));
        break;
    }
    default:
        break; // an event type from a newer ABI minor: nothing to show
    }
    return out.size() - before;
}

std::vector<std::string> ChunkBuilder::add(const helix_event &event) {
    std::vector<std::string> out;
    add(event, out);
    return out;
}

std::size_t ChunkBuilder::finish(std::vector<std::string> &out) {
    if (done_) return 0;
    const std::size_t before = out.size();
    bool any_started = false;
    for (auto &[index, c] : choices_) {
        if (!c.started && !c.pending_extras.empty()) start(index, c, false, out);
        if (c.started && !c.finished) close(index, c, HELIX_FINISH_NONE, out);
        any_started = any_started || c.started;
    }
    if (!any_started) {
        Choice &c = choices_[0U];
        start(0U, c, false, out);
        close(0U, c, HELIX_FINISH_NONE, out);
    }
    if (include_usage_) {
        const json::value usage = detail::usage_object(usage_);
        out.push_back(chunk(json::array(), nullptr, &usage));
    }
    done_ = true;
    return out.size() - before;
}

std::vector<std::string> ChunkBuilder::finish() {
    std::vector<std::string> out;
    finish(out);
    return out;
}


} // namespace helix::api
