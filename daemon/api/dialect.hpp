#pragma once
// Which API's wire shape a route answers in: OpenAI's (errors as
// {"error":{...}}, data-only SSE ending in [DONE]) or Anthropic's (errors
// as {"type":"error","error":{...}}, named SSE events, no [DONE]).

namespace helix::api {

enum class Dialect { openai, anthropic };

} // namespace helix::api
