#pragma once
// Builds OpenAI's Responses API answer from the canonical events of one
// upstream call: the `response` object (object "response") of a
// non-streamed request, or the typed events of a stream. One class does
// both, so that the streamed and the whole answer always agree.
//
// The response: id "resp_...", created_at, status ("completed"; "incomplete"
// with incomplete_details.reason "max_output_tokens" or "content_filter"
// when the upstream stopped for that reason), the members the request
// echoes (ResponsesRequest::echoed), model (as the client named it), output,
// usage {input_tokens, input_tokens_details.cached_tokens, output_tokens,
// output_tokens_details.reasoning_tokens, total_tokens}.
//
// Output items, in the order they began: one "message" (role assistant,
// one output_text part holding the text deltas of choice 0) and one
// "function_call" per tool call (call_id the upstream's id, or
// detail::synthesize_tool_call_id() when it gave none; arguments
// concatenated). Events of other choices are ignored (n is 1 here).
//
// Stream events (each a JSON payload with "type" and "sequence_number",
// counting from 0): response.created and response.in_progress before the
// first item; per message output_item.added, content_part.added,
// output_text.delta..., output_text.done, content_part.done,
// output_item.done; per function call output_item.added,
// function_call_arguments.delta..., function_call_arguments.done,
// output_item.done; then response.completed (response.incomplete for a
// length or content-filter stop). An item is done when the next one begins.
// failed() ends a stream that broke after it began with response.failed.

#include "daemon/api/error_body.hpp"
#include "daemon/api/reasoning_details.hpp"
#include "daemon/api/response_common.hpp"
#include "helixagent/plugin_abi.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace helix::api {

class ResponsesBuilder {
public:
    // `suffix` makes the ids: "resp_<suffix>", "msg_<suffix>", "fc_<suffix>_<n>".
    ResponsesBuilder(std::string suffix, std::int64_t created_at, std::string model, boost::json::object echoed,
                     bool stream);

    // An event; a stream's payloads for it are appended to `out`.
    void add(const helix_event &event, std::vector<std::string> &out);
    // The upstream ended well: a stream's last payloads.
    void finish(std::vector<std::string> &out);
    // The stream broke after it began: its response.failed payload.
    void failed(const ApiError &error, std::vector<std::string> &out);

    // The whole response (after finish() for a non-streamed request).
    boost::json::object to_json() const;
    std::string build() const;

    const std::string &id() const noexcept { return id_; }
    const Usage &usage() const noexcept { return usage_; }
    bool started() const noexcept { return started_; }

private:
    struct Item {
        bool message = false;
        bool reasoning = false; // the reasoning item (text: its summary)
        std::string id;
        std::string text; // the message's text, or the call's arguments
        std::string carry; // incomplete UTF-8 at the end of `text`
        std::string call_id;
        std::string name;
        bool done = false;
    };

    void start(std::vector<std::string> &out);
    Item &reasoning_item(std::vector<std::string> &out);
    void add_reasoning(const ReasoningSlots::Slot &slot, boost::json::object piece, std::vector<std::string> &out);
    Item &open_item(bool message, std::vector<std::string> &out);
    void close_item(std::size_t index, std::vector<std::string> &out);
    void emit(boost::json::object event, std::vector<std::string> &out);
    boost::json::object item_json(const Item &item) const;
    boost::json::object response_json(std::string_view status) const;
    std::string_view final_status() const noexcept;

    std::string id_;
    std::string suffix_;
    std::int64_t created_at_;
    std::string model_;
    boost::json::object echoed_;
    bool stream_;
    std::vector<Item> items_;
    std::ptrdiff_t message_ = -1;                   // index of the message item
    std::map<std::uint32_t, std::size_t> tool_items_; // tool_index -> item index
    std::ptrdiff_t current_ = -1;                   // the item events go to
    std::ptrdiff_t reasoning_ = -1;                 // index of the reasoning item (open to the end)
    ReasoningSlots reasoning_slots_;
    boost::json::array reasoning_details_;          // its encrypted_content, as reasoning_details.hpp
    std::uint32_t finish_reason_ = HELIX_FINISH_NONE;
    Usage usage_;
    std::int64_t sequence_ = 0;
    bool started_ = false;
    bool finished_ = false;
    std::string failure_code_;
    std::string failure_message_;
};

} // namespace helix::api
