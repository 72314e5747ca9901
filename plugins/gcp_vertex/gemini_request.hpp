#pragma once
// prepare() of Gemini models: the canonical (OpenAI-shaped) request -> the
// body of :generateContent / :streamGenerateContent?alt=sse (docs/providers.md, gcp-vertex).
//
//   system, developer  -> systemInstruction.parts (text only)
//   user               -> role "user": text parts; image_url data: URI ->
//                         inlineData {mimeType, data}; http(s) URL -> fileData
//                         {mimeType by the file's extension, fileUri}
//   assistant          -> role "model": text, then one functionCall {name, args}
//                         per tool call (args = the arguments parsed, an object)
//   tool               -> role "user": functionResponse {name, response}; the name
//                         is the one of the earlier tool call with that id; response
//                         = the content when it is a JSON object, else {"content": text}
//   Consecutive turns of one role merge (parallel tool results share a turn).
//   tools        -> [{functionDeclarations: [{name, description, parameters}]}];
//                   parameters is JSON Schema cut down to Vertex's OpenAPI subset
//                   (unknown keywords such as $schema and additionalProperties are
//                   left out, types upper-case, ["string","null"] -> nullable)
//   tool_choice  auto -> AUTO, none -> NONE, required -> ANY, named -> ANY with
//                allowedFunctionNames [name]
//   generationConfig: temperature, topP, maxOutputTokens, stopSequences, seed,
//                candidateCount (n); response_format json_object -> responseMimeType
//                application/json, json_schema -> also responseSchema (cut down)
//   reasoning_effort / budget -> generationConfig.thinkingConfig with
//                includeThoughts: Gemini 3 thinkingLevel (minimal/low -> LOW,
//                medium/high -> HIGH; a budget: LOW up to 8192, else HIGH),
//                Gemini 2.5 thinkingBudget (1024 / 2048 / 8192 / 16384 by
//                effort, or the budget) -- never both; other models: ignored
//   an assistant message's reasoning -> its thought parts {text, thought:
//                true, thoughtSignature} first; a redacted block (the
//                signature of the answer's text part) -> thoughtSignature on
//                its last text part; a tool call's signature ->
//                thoughtSignature on its functionCall part; byte for byte
// Refused with the field named: a tool message whose tool_call_id matches no
// earlier call, an image in a system message, tool arguments that are not a
// JSON object, an image URL whose type cannot be told from its extension.

#include <helixagent/plugin.hpp>

#include <boost/json/value.hpp>

#include <string>

namespace helix::gcp_vertex {

// The reasoning_format of this plugin's reasoning events (and of the blocks it accepts back).
inline constexpr std::string_view kReasoningFormat = "google-gemini-v1";

std::string gemini_body(const helix_chat_request &request);

// JSON Schema -> Vertex's Schema (exposed for tests).
boost::json::value vertex_schema(const boost::json::value &json_schema);

} // namespace helix::gcp_vertex
