#pragma once
// prepare() of the aws_bedrock provider: the canonical (OpenAI-shaped) request
// -> POST {endpoint}/model/{modelId}/converse (or /converse-stream), signed
// with SigV4 (signing name "bedrock", the endpoint's region setting).
//
//   modelId      a short name of the catalog becomes its full id; in the URL it
//                is percent-encoded as the JS SDK does (':' -> %3A, '/' -> %2F);
//                the signer encodes the path once more for the canonical URI
//   system, developer messages -> top-level "system": [{"text"}...], one block per
//                message, wherever they stood (Titan Text takes none: its
//                system text is put before the first user message's text)
//   user         -> user message; text parts -> {"text"}, image_url data: URI
//                (base64; png, jpeg, gif, webp) -> {"image": {"format",
//                "source": {"bytes": <base64>}}}; an http(s) image URL is
//                NOT_SUPPORTED (Converse takes only bytes or S3 locations)
//   assistant    -> assistant message; text + {"toolUse": {toolUseId, name,
//                input = the arguments parsed ("" -> {})}}
//   tool         -> {"toolResult": {toolUseId, content: [{"text"}] or text/image
//                blocks}} in a user message; an empty result is sent as
//                [{"text": "(empty)"}] (Converse refuses blank text)
//   Consecutive messages of one role merge into one (Converse requires
//   alternation); in a user message toolResult blocks come first. Empty text
//   blocks are left out; a message left empty is dropped.
//   tools        -> toolConfig.tools[].toolSpec {name, description,
//                inputSchema: {json: schema}} (schema default {"type":"object",
//                "properties":{}}; a schema without "type" gets "object")
//   tool_choice  auto -> {"auto":{}}, required -> {"any":{}}, named ->
//                {"tool":{"name"}}, unset -> none sent; none -> no toolConfig,
//                except when the conversation has toolUse/toolResult blocks:
//                Converse then requires toolConfig, so the tools are sent
//                without toolChoice (the model may still call one); a request
//                without tools whose history has tool calls gets a toolSpec
//                per tool name used there (open schema), for the same reason
//   max_tokens -> inferenceConfig.maxTokens; temperature (clamped to 0..1),
//   top_p -> topP, stop -> stopSequences (empty strings dropped)
//   response_format on Claude: json_object / json_schema -> one more tool,
//                json_response (plugin_common::json_tool), forced (toolChoice
//                tool; any beside client tools; with thinking auto and an
//                instruction), whose call decodes as the answer's text; other
//                models: json_object is an instruction in the system prompt,
//                json_schema a 400
//   reasoning_effort / budget on Claude -> additionalModelRequestFields.thinking
//                {type: enabled, budget_tokens} (plugin_common::claude_thinking;
//                maxTokens grows to hold it); other models: ignored
//   an assistant message's reasoning blocks -> {"reasoningContent":
//                {"reasoningText": {text, signature}}} / {"redactedContent"}
//                first in its content, byte for byte (unsigned ones and other
//                formats left out)
// Not supported (HELIX_ERR_NOT_SUPPORTED, 400, with param): n > 1 ("n"),
// response_format json_schema on a model other than Claude ("response_format"), image URLs, image types
// other than png/jpeg/gif/webp. Ignored: seed, user, parallel_tool_calls,
// image detail, message names, tool strict.
//
// Headers: content-type application/json, accept (application/json or
// application/vnd.amazon.eventstream), then the signer's host, x-amz-date,
// x-amz-security-token (temporary credentials; signed), x-amz-content-sha256
// (as the JS SDK sends it) and authorization.

#include "plugins/aws_bedrock/bedrock_settings.hpp"
#include "plugins/aws_common/sigv4.hpp"

#include <helixagent/plugin.hpp>

#include <cstdint>
#include <string>
#include <optional>
#include <string_view>

namespace helix::aws_bedrock {

// The reasoning_format of this plugin's reasoning events (and of the blocks it accepts back).
inline constexpr std::string_view kReasoningFormat = "bedrock-converse-v1";

inline constexpr std::string_view kJsonObjectInstruction =
    "Respond with a single valid JSON object and nothing else: no prose, no code fences.";
inline constexpr std::string_view kJsonToolInstruction =
    "Give your final answer by calling the json_response tool, and nothing else.";
inline constexpr std::string_view kEmptyToolResult = "(empty)";
inline constexpr std::string_view kEventStreamContentType = "application/vnd.amazon.eventstream";

// Claude (anthropic.claude-*, also behind an inference profile).
bool is_claude(std::string_view upstream_model_id) noexcept;
// Amazon Nova 2 (amazon.nova-2-*), whose reasoning is
// additionalModelRequestFields.reasoningConfig: {"type": "enabled",
// "maxReasoningEffort": "low" | "medium" | "high"}.
bool is_nova_2(std::string_view upstream_model_id) noexcept;
// The maxReasoningEffort a request asks for (by reasoning_effort, or by its
// thinking budget: up to low's budget low, up to medium's medium, else
// high); nullopt: no reasoning.
std::optional<std::string_view> nova_reasoning_effort(const helix_chat_request &r) noexcept;
// Models that take Converse cachePoint blocks (Claude, Nova); for the others
// a request's cache_control is dropped (the model would refuse the block).
bool takes_cache_points(std::string_view upstream_model_id) noexcept;
// With thinking and no maxTokens from the client: the answer's share of
// maxTokens beside the thinking budget.
inline constexpr std::int64_t kClaudeDefaultMaxTokens = 4096;

// The Converse / ConverseStream request body (the model id is not in it).
std::string converse_body(const helix_chat_request &request, std::string_view upstream_model_id);

// {endpoint}/model/{percent-encoded id}/converse[-stream]
std::string converse_url(const Settings &settings, std::string_view upstream_model_id, bool stream);

// Fills out's method, url, body and streaming flag (no headers yet): every
// check of the request happens here, before credentials are needed.
void build_request(const Settings &settings, const helix_chat_request &request, helix::sdk::HttpRequest &out);

// Sets out's headers: content-type, accept, and the SigV4 ones for these
// credentials at now_ms.
void sign_request(const Settings &settings, const helix::aws::Credentials &credentials, std::int64_t now_ms,
                  helix::sdk::HttpRequest &out);

// Sets out's headers for a Bedrock API key instead: content-type, accept and
// "authorization: Bearer <key>" (no SigV4, as the SDKs send it).
void authorize_request(std::string_view api_key, helix::sdk::HttpRequest &out);

} // namespace helix::aws_bedrock
