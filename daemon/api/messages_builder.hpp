#pragma once
// A translated provider's canonical events as Anthropic's Messages API
// answer: one message object, or the SSE events Anthropic sends
// (message_start, content_block_start / content_block_delta /
// content_block_stop per block, message_delta with the stop reason and
// usage, message_stop). Blocks are numbered from 0 in the order they
// start: text (text_delta), tool_use (input_json_delta, one block per tool
// call; a call without argument text gets "{}"), thinking (thinking_delta,
// signature_delta) and redacted_thinking. Stop reasons: stop -> end_turn,
// length -> max_tokens, tool_calls -> tool_use, content_filter -> refusal.
// usage: input_tokens (the prompt less cache reads and writes, as Anthropic
// counts), output_tokens, cache_read_input_tokens, cache_creation_input_tokens.

#include <helixagent/plugin_abi.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace helix::api {

class MessagesBuilder {
public:
    // `id`: "msg_..."; `model`: the name the client asked for.
    MessagesBuilder(std::string id, std::string model, bool stream);

    // A stream's payloads for this event go to `out` (nothing for a whole reply).
    void add(const helix_event &event, std::vector<std::string> &out);
    // A stream's last payloads go to `out`; a whole reply's JSON is returned.
    std::string finish(std::vector<std::string> &out);

    std::int64_t input_tokens() const noexcept { return prompt_; }
    std::int64_t output_tokens() const noexcept { return completion_; }
    std::int64_t cache_read_tokens() const noexcept { return cache_read_; }
    std::int64_t cache_write_tokens() const noexcept { return cache_write_; }

private:
    enum class Kind { text, tool, thinking, redacted };
    struct Block {
        Kind kind;
        boost::json::object start; // content_block_start's content_block
        std::string text;          // text, thinking, or the tool's argument text
        std::string signature;
    };

    void started(std::vector<std::string> &out);
    std::size_t open(Kind kind, boost::json::object start, std::vector<std::string> &out);
    void close(std::vector<std::string> &out);
    void delta(std::size_t index, boost::json::object delta, std::vector<std::string> &out);
    boost::json::object usage_json(bool with_input) const;
    std::string stop_reason() const;

    std::string id_;
    std::string model_;
    bool stream_;
    bool started_ = false;
    std::vector<Block> blocks_;
    std::optional<std::size_t> open_; // the block a stream has open
    std::map<std::uint32_t, std::size_t> tools_;     // tool_index -> block
    std::map<std::uint32_t, std::size_t> thoughts_;  // reasoning_index -> block
    std::uint32_t finish_ = HELIX_FINISH_NONE;
    std::int64_t prompt_ = 0, completion_ = 0, cache_read_ = 0, cache_write_ = 0;
};

} // namespace helix::api
