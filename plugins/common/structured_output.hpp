#pragma once
// response_format as a forced tool, for providers whose structured output is
// tool use (Anthropic, Claude on Bedrock): the request gets one more tool,
// kJsonToolName, whose input schema is the response's, and the model is made
// to call it; the decoder then turns that call's input into the answer's text
// (and its finish into "stop"), so the client sees JSON content that fits.

#include <helixagent/plugin.hpp>

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace helix::plugin_common {

inline constexpr std::string_view kJsonToolName = "json_response";

struct JsonTool {
    std::string description;
    boost::json::value schema; // a JSON Schema object
};

// The tool for json_object ({"type":"object"}) or json_schema (its "schema",
// "description"); nullopt for text or unset. A client tool of the same name
// is a 400 naming it.
std::optional<JsonTool> json_tool(const helix_chat_request &r);

} // namespace helix::plugin_common
