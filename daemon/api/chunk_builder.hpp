#pragma once
// Turns the canonical events of one upstream call into OpenAI stream chunks
// (object "chat.completion.chunk"). Each string it returns is the JSON of one
// chunk; the caller frames it as `data: <json>\n\n` (sse_data() in
// sse_frame.hpp), calls finish() when the upstream ended, writes those chunks
// too, then kSseDone. An error after the stream started is one more event,
// sse_data(error_body(error)), after which the stream ends.
//
// Every chunk has the same id, created and model, then system_fingerprint
// (once known), choices, and "usage": null when include_usage is on. Per choice
// (choices[].index = event.choice):
//   - the first chunk of a choice is {"delta":{"role":"assistant","content":"",
//     "refusal":null}} — content null instead when its first event is a tool
//     call — with any EXTRA members that came for the choice before it;
//   - TEXT_DELTA -> {"delta":{"content":"..."}} (empty text: no chunk);
//   - TOOL_CALL_DELTA -> {"delta":{"tool_calls":[{"index":tool_index,"id",
//     "type":"function","function":{"name","arguments":"<text of this delta>"}}]}}
//     for the first delta of a call, {"index","function":{"arguments"}}
//     afterwards (plus "name" if the name arrives late); the id is fixed by
//     the first delta exactly as in CompletionBuilder;
//   - REASONING_DELTA -> {"delta":{"reasoning_content":"<text>",
//     "reasoning_details":[<piece>]}} (reasoning_details.hpp; no
//     reasoning_content for a signature or redacted piece);
//   - a TOOL_CALL_DELTA with only tool_signature -> {"delta":{
//     "reasoning_details":[{"type":"reasoning.encrypted","data","id"}]}}
//     (ignored for a call that has not started);
//   - FINISH -> {"delta":{},"finish_reason":"..."} (once per choice);
//   - EXTRA for a choice that already started -> {"delta":{},<name>:<value>}.
// Response-level EXTRA (see completion_builder.hpp for the rule):
// system_fingerprint and service_tier are added to every later chunk; any
// other (e.g. prompt_filter_results) goes out once as a chunk with
// "choices":[] and the member, as Azure does.
// START sets the id only while no chunk has been produced yet (all chunks of a
// stream share one id). USAGE is remembered.
//
// finish(): closes every started choice that got no FINISH (finish_reason
// "stop", or "tool_calls" when it made tool calls); if no choice started at
// all, choice 0 is started and closed, so the client always sees one; then,
// with include_usage, ONE final chunk with "choices":[] and the usage object.
// After finish(), add() and finish() produce nothing.
//
// Concatenating delta.content and, per tool_calls index, function.arguments of
// all chunks gives exactly CompletionBuilder's message for the same events.
// The builder keeps no text: memory per stream is bounded by the number of
// choices and tool calls, not by the length of the answer.

#include "daemon/api/error_body.hpp"
#include "daemon/api/reasoning_details.hpp"
#include "daemon/api/response_common.hpp"
#include "helixagent/plugin_abi.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace helix::api {

class ChunkBuilder {
public:
    ChunkBuilder(std::string fallback_id, std::int64_t created, std::string model, bool include_usage);

    // Appends the chunks this event produces (zero or more) to `out`; returns how many.
    std::size_t add(const helix_event &event, std::vector<std::string> &out);
    std::vector<std::string> add(const helix_event &event);

    // The upstream ended normally: closing chunks and the usage chunk (see above).
    std::size_t finish(std::vector<std::string> &out);
    std::vector<std::string> finish();

    const std::string &id() const noexcept { return id_; }
    const std::string &served_model() const noexcept { return served_model_; }
    const Usage &usage() const noexcept { return usage_; }
    bool finished() const noexcept { return done_; }
    std::size_t chunks_produced() const noexcept { return produced_; }

private:
    struct ToolCall {
        std::string carry; // incomplete UTF-8 at the end of the arguments sent so far
        bool name_sent = false;
        std::string id;    // as the first delta fixed it (for its signature's entry)
    };
    struct Choice {
        bool started = false;
        bool finished = false;
        std::string carry; // incomplete UTF-8 at the end of the text sent so far
        std::map<std::uint32_t, ToolCall> tool_calls;
        boost::json::object pending_extras; // EXTRA members before the first chunk
        ReasoningSlots reasoning_slots;
    };

    // The JSON text of one chunk with these choices (and extra response members).
    std::string chunk(boost::json::array choices, const boost::json::object *response_extras = nullptr,
                      const boost::json::value *usage = nullptr);
    // A text delta's chunk, written straight into one string (the per-token
    // path: no JSON tree per token); the same text chunk() would make.
    std::string text_chunk(std::uint32_t index, std::string_view text);
    // id, object, created, model and the sticky members, in that order.
    boost::json::object common_members() const;
    // Every chunk's members before "choices" (id, object, created, model,
    // sticky ones), serialized once and kept until one of them changes.
    const std::string &members_before_choices();
    static boost::json::object choice_entry(std::uint32_t index, boost::json::object delta);
    void start(std::uint32_t index, Choice &c, bool content_null, std::vector<std::string> &out);
    void close(std::uint32_t index, Choice &c, std::uint32_t reason, std::vector<std::string> &out);

    std::string id_;
    std::int64_t created_;
    std::string model_;
    bool include_usage_;
    std::string served_model_;
    boost::json::object sticky_; // system_fingerprint, service_tier
    std::string head_;            // members_before_choices(), empty when it must be made again
    std::map<std::uint32_t, Choice> choices_;
    Usage usage_;
    std::size_t produced_ = 0;
    bool done_ = false;
};

} // namespace helix::api
