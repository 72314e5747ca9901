#pragma once
// Claude on Vertex AI, without I/O: the body of
// publishers/anthropic/models/{model}:rawPredict and :streamRawPredict.
// It is Anthropic's Messages body with "anthropic_version":
// "vertex-2023-10-16" and no "model" (the URL names it); a member Vertex
// does not take is refused as Anthropic's validation refuses it ("...: Extra
// inputs are not permitted"). The reply and the SSE events are Anthropic's
// (anthropic_wire.hpp), errors of the request Anthropic's error object.

#include "tools/cloudsim/anthropic_wire.hpp"

#include <optional>
#include <string_view>

namespace helix::cloudsim::vertex {

inline constexpr std::string_view kClaudeVersion = "vertex-2023-10-16";

bool is_claude_model(std::string_view model);

// The request, with prompt.model = `model`; nullopt and `error` (400) if refused.
std::optional<anthropic::MessagesRequest> parse_raw_predict(std::string_view body, std::string_view model,
                                                            anthropic::ApiError &error);

} // namespace helix::cloudsim::vertex
