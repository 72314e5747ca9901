#pragma once
// The reasoning of one choice as the chat wire format shows it (README,
// "Reasoning"), shared by CompletionBuilder and ChunkBuilder so that a stream
// and a whole reply say the same:
//   - "reasoning_content": the reasoning text, for display;
//   - "reasoning_details": one entry per reasoning block or signed tool call,
//     in the order they started, each with its "index" (its place in the
//     array) and the plugin's "format":
//       {"type":"reasoning.text","text","signature"}      a (signed) block
//       {"type":"reasoning.encrypted","data"}             a redacted block
//       {"type":"reasoning.encrypted","data","id":<call>} a tool call's signature
//     A stream sends the same entries in pieces: entries with the same index
//     concatenate their "text", "signature" and "data".
// A client sends reasoning_details back on the assistant message unchanged
// and chat_request.cpp restores every block and signature byte for byte.

#include "helixagent/plugin_abi.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace helix::api {

class ReasoningSlots {
public:
    // The entry of a REASONING_DELTA (by reasoning_index) or of a tool
    // call's signature (by tool_index): its index, and whether it is new.
    struct Slot {
        std::size_t index = 0;
        bool first = false;
    };
    Slot block(std::uint32_t reasoning_index);
    Slot tool(std::uint32_t tool_index);
    bool empty() const noexcept { return next_ == 0; }

private:
    std::map<std::uint32_t, std::size_t> blocks_;
    std::map<std::uint32_t, std::size_t> tools_;
    std::size_t next_ = 0;
};

// The reasoning_details entry (or stream piece) of a REASONING_DELTA.
boost::json::object reasoning_entry(const helix_event &event, std::size_t index);
// The entry of a tool call's signature (a TOOL_CALL_DELTA with tool_signature).
boost::json::object tool_signature_entry(const helix_event &event, std::size_t index, std::string_view call_id);
// Appends a stream piece to the whole entry (text, signature, data concatenate).
void merge_entry(boost::json::object &whole, const boost::json::object &piece);

// The Responses API's reasoning item carries a turn's reasoning_details as its
// encrypted_content: base64 of their JSON text, opaque to the client and
// restored exactly when the item comes back. decode: nullopt for anything
// else (not base64, not a JSON array of objects).
std::string encode_reasoning(const boost::json::array &details);
std::optional<boost::json::array> decode_reasoning(std::string_view content);

} // namespace helix::api
