#pragma once
// A deterministic JSON value that fits a schema: what the simulators answer
// for structured output (OpenAI / Azure response_format json_schema, Vertex
// responseSchema / responseJsonSchema) and use as tool-call arguments. It
// reads JSON Schema and Vertex's OpenAPI subset (upper-case types,
// nullable):
//   enum / const -> the first value; anyOf / oneOf -> the first branch;
//   allOf -> the branches' properties merged; $ref -> #/$defs/... or
//   #/definitions/... of the root schema;
//   object -> every property, in schema order; array -> minItems items
//   (none without it), each from `items`;
//   string -> "sim-<property>" (a format: a valid example of it; minLength /
//   maxLength respected); integer -> 42 and number -> 3.5, moved into
//   [minimum, maximum]; boolean -> true; null or no type -> null.
// Depth is bounded (a recursive $ref ends in null).

#include <boost/json/value.hpp>

#include <string_view>

namespace helix::cloudsim {

boost::json::value schema_sample(const boost::json::value &schema);

} // namespace helix::cloudsim
