#include "plugins/common/structured_output.hpp"

#include "plugins/common/request_helpers.hpp"

namespace helix::plugin_common {

namespace json = boost::json;

std::optional<JsonTool> json_tool(const helix_chat_request &r) {
    if (r.response_format != HELIX_FORMAT_JSON_OBJECT && r.response_format != HELIX_FORMAT_JSON_SCHEMA) return std::nullopt;
    for (std::size_t i = 0; i < r.tool_count; ++i)
        if (helix::sdk::view(r.tools[i]->name) == kJsonToolName)
            invalid("tools[" + std::to_string(i) + "].function.name '" + std::string(kJsonToolName) +
                        "' is reserved with response_format (the gateway answers through a tool of that name)",
                    "tools[" + std::to_string(i) + "].function.name");
    JsonTool tool;
    tool.description = "Give your whole answer as this tool's input: one JSON object that fits its schema.";
    tool.schema = json::object{{"type", "object"}};
    if (r.response_format == HELIX_FORMAT_JSON_SCHEMA) {
        const json::value spec = parse_client_json(helix::sdk::view(r.response_schema_json), "response_format.json_schema",
                                                   "a json_schema object");
        if (const json::object *o = spec.if_object()) {
            if (const json::value *schema = o->if_contains("schema"); schema != nullptr && schema->is_object()) {
                tool.schema = *schema;
                // A tool's input is an object: a schema that says nothing else means one.
                if (!tool.schema.as_object().contains("type")) tool.schema.as_object()["type"] = "object";
                if (tool.schema.as_object()["type"] != "object")
                    unsupported("response_format.json_schema.schema must describe an object here (the answer is a tool "
                                "call's input, which is always an object)",
                                "response_format.json_schema.schema");
            }
            if (const json::value *d = o->if_contains("description"); d != nullptr && d->is_string() && !d->get_string().empty())
                tool.description += " " + std::string(d->get_string());
        }
    }
    return tool;
}

} // namespace helix::plugin_common
