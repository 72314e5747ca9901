#include "daemon/api/completion_builder.hpp"

#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>

namespace helix::api {

namespace json = boost::json;
using detail::to_view;

CompletionBuilder::CompletionBuilder(std::string fallback_id, std::int64_t created, std::string model)
    : id_(detail::sanitize_utf8(fallback_id)), created_(created), model_(detail::sanitize_utf8(model)) {
    choices_.try_emplace(0U);
}

CompletionBuilder::Choice &CompletionBuilder::choice(std::uint32_t index) { return choices_[index]; }

void CompletionBuilder::add(const helix_event &event) {
    const bool choice_ok = event.choice < kMaxChoices;
    switch (event.type) {
    case HELIX_EVENT_START: {
        const std::string_view id = to_view(event.response_id);
        if (!id.empty()) id_ = detail::sanitize_utf8(id);
        const std::string_view served = to_view(event.model);
        if (!served.empty()) served_model_ = detail::sanitize_utf8(served);
        break;
    }
    case HELIX_EVENT_TEXT_DELTA: {
        if (!choice_ok) break;
        Choice &c = choice(event.choice);
        c.has_text = true;
        detail::append_utf8(c.text, to_view(event.text), c.carry);
        break;
    }
    case HELIX_EVENT_REASONING_DELTA: {
        if (!choice_ok) break;
        Choice &c = choice(event.choice);
        const ReasoningSlots::Slot slot = c.reasoning_slots.block(event.reasoning_index);
        json::object piece = reasoning_entry(event, slot.index);
        if (const json::value *text = piece.if_contains("text")) c.reasoning_text += text->get_string();
        if (slot.first) {
            c.reasoning_details.push_back(std::move(piece));
        } else {
            merge_entry(c.reasoning_details[slot.index], piece);
        }
        break;
    }
    case HELIX_EVENT_TOOL_CALL_DELTA: {
        if (!choice_ok) break;
        Choice &c = choice(event.choice);
        if (event.tool_signature.len > 0) {
            // A signature-only delta names a call that already started.
            const auto known = c.tool_calls.find(event.tool_index);
            if (known == c.tool_calls.end()) break;
            const ReasoningSlots::Slot slot = c.reasoning_slots.tool(event.tool_index);
            json::object piece = tool_signature_entry(event, slot.index, known->second.id);
            if (slot.first) {
                c.reasoning_details.push_back(std::move(piece));
            } else {
                merge_entry(c.reasoning_details[slot.index], piece);
            }
            break;
        }
        const auto [it, first] = c.tool_calls.try_emplace(event.tool_index);
        ToolCall &call = it->second;
        if (first) {
            const std::string_view id = to_view(event.tool_call_id);
            call.id = id.empty() ? detail::synthesize_tool_call_id(id_, event.choice, event.tool_index)
                                 : detail::sanitize_utf8(id);
        }
        if (call.name.empty()) call.name = detail::sanitize_utf8(to_view(event.tool_name));
        detail::append_utf8(call.arguments, to_view(event.tool_arguments), call.carry);
        break;
    }
    case HELIX_EVENT_FINISH: {
        if (!choice_ok) break;
        Choice &c = choice(event.choice);
        if (c.finished) break;
        c.finished = true;
        c.finish_reason = event.finish_reason;
        detail::flush_utf8(c.text, c.carry);
        for (auto &[index, call] : c.tool_calls) detail::flush_utf8(call.arguments, call.carry);
        break;
    }
    case HELIX_EVENT_USAGE:
        usage_.record(event);
        break;
    case HELIX_EVENT_EXTRA: {
        std::optional<detail::Extra> extra = detail::read_extra(event);
        if (!extra) break;
        if (extra->place == detail::ExtraPlace::response) {
            extras_[extra->member] = std::move(extra->value);
        } else if (choice_ok) {
            choice(event.choice).extras[extra->member] = std::move(extra->value);
        }
        break;
    }
    default:
        break; // an event type from a newer ABI minor: nothing to show
    }
}

json::object CompletionBuilder::to_json(json::storage_ptr storage) const {
    // Every member is made on `storage`: one made elsewhere would be copied into it.
    json::object response(8, storage);
    response["id"] = id_;
    response["object"] = "chat.completion";
    response["created"] = created_;
    response["model"] = model_;
    json::array choices(storage);
    choices.reserve(choices_.size());
    for (const auto &[index, c] : choices_) {
        json::object message(4, storage);
        message["role"] = "assistant";
        if (c.has_text || c.tool_calls.empty()) {
            std::string text = c.text;
            std::string carry = c.carry;
            detail::flush_utf8(text, carry);
            message["content"] = text;
        } else {
            message["content"] = nullptr;
        }
        message["refusal"] = nullptr;
        if (!c.reasoning_details.empty()) {
            if (!c.reasoning_text.empty()) message["reasoning_content"] = c.reasoning_text;
            json::array details(storage);
            for (const json::object &entry : c.reasoning_details) details.push_back(entry);
            message["reasoning_details"] = std::move(details);
        }
        if (!c.tool_calls.empty()) {
            json::array calls(storage);
            calls.reserve(c.tool_calls.size());
            for (const auto &[tool_index, call] : c.tool_calls) {
                std::string arguments = call.arguments;
                std::string carry = call.carry;
                detail::flush_utf8(arguments, carry);
                json::object function(storage);
                function["name"] = call.name;
                function["arguments"] = std::move(arguments);
                json::object entry(storage);
                entry["id"] = call.id;
                entry["type"] = "function";
                entry["function"] = std::move(function);
                calls.emplace_back(std::move(entry));
            }
            message["tool_calls"] = std::move(calls);
        }
        json::object choice(4, storage);
        choice["index"] = index;
        choice["message"] = std::move(message);
        choice["logprobs"] = nullptr;
        choice["finish_reason"] = detail::finish_reason_name(c.finish_reason, !c.tool_calls.empty());
        for (const auto &member : c.extras) choice[member.key()] = member.value();
        choices.emplace_back(std::move(choice));
    }
    response["choices"] = std::move(choices);
    response["usage"] = detail::usage_object(usage_, storage);
    for (const auto &member : extras_) response[member.key()] = member.value();
    return response;
}

// The document lives only until it is serialized: its keys, strings and
// tables come from one arena (first on the stack) instead of a heap
// allocation each, about a hundred per reply.
std::string CompletionBuilder::build() const {
    unsigned char first_block[4096];
    json::monotonic_resource arena(first_block, sizeof first_block);
    return json::serialize(to_json(&arena));
}

} // namespace helix::api
