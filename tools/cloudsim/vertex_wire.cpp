#include "tools/cloudsim/vertex_wire.hpp"

#include "daemon/api/media_source.hpp"
#include "tools/cloudsim/media_record.hpp"

#include "tools/cloudsim/thinking.hpp"

#include "tools/cloudsim/wire_util.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <cctype>

namespace helix::cloudsim::vertex {

namespace {

namespace json = boost::json;

constexpr std::string_view kLearnMore = " Learn more: https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/gemini";

// Top-level members of a GenerateContentRequest, in both spellings Google's
// JSON parser accepts.
constexpr std::array<std::string_view, 18> kRequestFields{
    "contents",         "systemInstruction", "system_instruction", "tools",          "toolConfig",
    "tool_config",      "generationConfig",  "generation_config",  "safetySettings", "safety_settings",
    "cachedContent",    "cached_content",    "labels",             "model",          "modelArmorConfig",
    "model_armor_config", "sessionContext", "session_context"};

// A member in lowerCamelCase or snake_case.
const json::value *member(const json::object &obj, std::string_view camel, std::string_view snake = {}) {
    if (const auto *v = obj.if_contains(camel)) return v;
    if (!snake.empty()) return obj.if_contains(snake);
    return nullptr;
}

std::string percent_decode(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) != 0 &&
            std::isxdigit(static_cast<unsigned char>(text[i + 2])) != 0) {
            out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
            i += 2;
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

std::vector<std::string_view> split(std::string_view text, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (true) {
        const auto at = text.find(sep, start);
        out.push_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
        if (at == std::string_view::npos) break;
        start = at + 1;
    }
    return out;
}

// Google's OpenAPI-subset Schema writes types in upper case ("OBJECT",
// "STRING"); the reply generator reads JSON Schema (lower case).
json::value lower_case_types(const json::value &schema) {
    if (schema.is_array()) {
        json::array out;
        for (const auto &v : schema.get_array()) out.push_back(lower_case_types(v));
        return out;
    }
    if (!schema.is_object()) return schema;
    json::object out;
    for (const auto &m : schema.get_object()) {
        if (m.key() == "type" && m.value().is_string()) {
            std::string t(m.value().get_string());
            std::transform(t.begin(), t.end(), t.begin(), [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
            out[m.key()] = t;
        } else {
            out[m.key()] = lower_case_types(m.value());
        }
    }
    return out;
}

std::optional<std::uint64_t> as_uint(const json::value &v) {
    if (v.is_uint64()) return v.get_uint64();
    if (v.is_int64() && v.get_int64() >= 0) return static_cast<std::uint64_t>(v.get_int64());
    return std::nullopt;
}

bool valid_function_name(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    const auto first = static_cast<unsigned char>(name.front());
    if (std::isalpha(first) == 0 && first != '_') return false;
    return std::all_of(name.begin(), name.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return std::isalnum(c) != 0 || c == '_' || c == '.' || c == ':' || c == '-';
    });
}

// The text parts of a Content, '\n'-joined; counts every prompt text into `prompt`.
// A thoughtSignature sent back must be the one the simulator put on that part.
bool check_signature(const json::object &part, std::string_view signed_content, const std::string &part_where,
                     ApiError &error) {
    const auto *signature = member(part, "thoughtSignature", "thought_signature");
    if (!signature) return true;
    if (signature->is_string() && valid_signature(signed_content, signature->get_string())) return true;
    error = invalid_argument("Unable to submit request because the thought signature at `" + part_where +
                             "` is not valid. Send back the thought signatures exactly as you received them." +
                             std::string(kLearnMore));
    return false;
}

bool read_content(const json::value &value, const std::string &where, SimPrompt &prompt, std::string &texts,
                  std::string &tool_results, std::size_t &function_responses, ApiError &error) {
    const auto *content = value.if_object();
    if (!content) {
        error = invalid_argument("Invalid value at '" + where + "' (type.googleapis.com/google.cloud.aiplatform.v1.Content)");
        return false;
    }
    const auto *parts = member(*content, "parts");
    if (!parts || !parts->is_array() || parts->get_array().empty()) {
        error = invalid_argument("Unable to submit request because it must include at least one parts field, which "
                                 "describes the prompt input." + std::string(kLearnMore));
        return false;
    }
    const auto &list = parts->get_array();
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string part_where = where + ".parts[" + std::to_string(i) + "]";
        const auto *part = list[i].if_object();
        if (!part) {
            error = invalid_argument("Invalid value at '" + part_where + "' (type.googleapis.com/google.cloud.aiplatform.v1.Part)");
            return false;
        }
        if (const auto *text = member(*part, "text")) {
            if (!text->is_string()) {
                error = invalid_argument("Invalid value at '" + part_where + ".text' (TYPE_STRING)");
                return false;
            }
            if (text->get_string().empty()) {
                error = invalid_argument("Unable to submit request because it has an empty text parameter. Add a value "
                                         "to the parameter and try again." + std::string(kLearnMore));
                return false;
            }
            const bool thought = member(*part, "thought") && member(*part, "thought")->is_bool() &&
                                 member(*part, "thought")->get_bool();
            if (!check_signature(*part, (thought ? "thought:" : "text:") + std::string(text->get_string()), part_where, error))
                return false;
            if (thought) continue; // earlier thoughts: no prompt text
            add_prompt_text(prompt.all_text, prompt.prompt_tokens, text->get_string());
            if (!texts.empty()) texts.push_back('\n');
            texts += text->get_string();
        } else if (const auto *call = member(*part, "functionCall", "function_call")) {
            const auto *obj = call->if_object();
            const auto name = obj ? string_member(*obj, "name") : std::nullopt;
            if (!name || name->empty()) {
                error = invalid_argument("Unable to submit request because `" + part_where +
                                         ".functionCall` has no name.");
                return false;
            }
            if (!check_signature(*part, "functionCall:" + std::string(*name), part_where, error)) return false;
            add_prompt_text(prompt.all_text, prompt.prompt_tokens, *name);
            if (const auto *args = obj->if_contains("args"))
                add_prompt_text(prompt.all_text, prompt.prompt_tokens, json::serialize(*args));
        } else if (const auto *resp = member(*part, "functionResponse", "function_response")) {
            const auto *obj = resp->if_object();
            const auto name = obj ? string_member(*obj, "name") : std::nullopt;
            if (!name || name->empty()) {
                error = invalid_argument("Unable to submit request because `" + part_where +
                                         ".functionResponse` has no name.");
                return false;
            }
            const auto *response = obj->if_contains("response");
            const std::string result = response ? json::serialize(*response) : std::string("{}");
            add_prompt_text(prompt.all_text, prompt.prompt_tokens, result);
            if (function_responses++ > 0) tool_results.push_back('\n');
            tool_results += result;
        } else if (const auto *inline_data = member(*part, "inlineData", "inline_data")) {
            // Bytes: a mimeType and base64 data, as Vertex checks them.
            const auto *obj = inline_data->if_object();
            const auto type = obj ? string_member(*obj, "mimeType") : std::nullopt;
            const auto data = obj ? string_member(*obj, "data") : std::nullopt;
            const auto bytes = data ? helix::api::base64_decode(*data) : std::nullopt;
            if (!type || type->find('/') == std::string_view::npos || !bytes || bytes->empty()) {
                error = invalid_argument("Unable to submit request because `" + part_where +
                                         ".inlineData` needs a mimeType and base64 data." + std::string(kLearnMore));
                return false;
            }
            prompt.media.push_back(media_record(type->starts_with("image/") ? "image" : "document", *type, "", *bytes));
        } else if (const auto *file_data = member(*part, "fileData", "file_data")) {
            const auto *obj = file_data->if_object();
            const auto type = obj ? string_member(*obj, "mimeType") : std::nullopt;
            const auto uri = obj ? string_member(*obj, "fileUri") : std::nullopt;
            if (!type || !uri || uri->empty()) {
                error = invalid_argument("Unable to submit request because `" + part_where +
                                         ".fileData` needs a mimeType and a fileUri." + std::string(kLearnMore));
                return false;
            }
            prompt.media.push_back(media_uri_record(type->starts_with("image/") ? "image" : "document", *type, "", *uri));
        } else if (!member(*part, "executableCode", "executable_code") &&
                   !member(*part, "codeExecutionResult", "code_execution_result")) {
            error = invalid_argument("Unable to submit request because `" + part_where +
                                     "` has no data: it needs one of text, inlineData, fileData, functionCall or "
                                     "functionResponse." + std::string(kLearnMore));
            return false;
        }
    }
    return true;
}

bool parse_contents(const json::object &root, SimPrompt &prompt, ApiError &error) {
    const auto *contents = member(root, "contents");
    if (!contents || (contents->is_array() && contents->get_array().empty())) {
        error = invalid_argument("Unable to submit request because it has an empty contents field." +
                                 std::string(kLearnMore));
        return false;
    }
    if (!contents->is_array()) {
        error = invalid_argument("Invalid value at 'contents' (type.googleapis.com/google.cloud.aiplatform.v1.Content)");
        return false;
    }
    const auto &list = contents->get_array();
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string where = "contents[" + std::to_string(i) + "]";
        const auto *obj = list[i].if_object();
        std::string role;
        if (obj) {
            if (const auto *r = obj->if_contains("role")) {
                if (!r->is_string()) {
                    error = invalid_argument("Invalid value at '" + where + ".role' (TYPE_STRING)");
                    return false;
                }
                role = std::string(r->get_string());
            }
        }
        if (!role.empty() && role != "user" && role != "model" && role != "function") {
            error = invalid_argument("Please use a valid role: user, model.");
            return false;
        }
        std::string texts;
        std::string tool_results;
        std::size_t responses = 0;
        if (!read_content(list[i], where, prompt, texts, tool_results, responses, error)) return false;
        const bool last = i + 1 == list.size();
        if ((role.empty() || role == "user") && !texts.empty()) prompt.last_user_text = texts;
        if (last && responses > 0) {
            prompt.ends_with_tool_result = true;
            prompt.tool_result_text = std::move(tool_results);
        }
    }
    return true;
}

bool parse_system_instruction(const json::object &root, SimPrompt &prompt, ApiError &error) {
    const auto *system = member(root, "systemInstruction", "system_instruction");
    if (!system || system->is_null()) return true;
    std::string texts;
    std::string ignored;
    std::size_t responses = 0;
    return read_content(*system, "system_instruction", prompt, texts, ignored, responses, error);
}

bool parse_tools(const json::object &root, SimPrompt &prompt, ApiError &error) {
    if (const auto *tools = member(root, "tools"); tools && !tools->is_null()) {
        if (!tools->is_array()) {
            error = invalid_argument("Invalid value at 'tools' (type.googleapis.com/google.cloud.aiplatform.v1.Tool)");
            return false;
        }
        for (std::size_t t = 0; t < tools->get_array().size(); ++t) {
            const auto *tool = tools->get_array()[t].if_object();
            if (!tool) {
                error = invalid_argument("Invalid value at 'tools[" + std::to_string(t) +
                                         "]' (type.googleapis.com/google.cloud.aiplatform.v1.Tool)");
                return false;
            }
            const auto *decls = member(*tool, "functionDeclarations", "function_declarations");
            if (!decls || decls->is_null()) continue; // googleSearch, retrieval, codeExecution, ...
            if (!decls->is_array()) {
                error = invalid_argument("Invalid value at 'tools[" + std::to_string(t) + "].function_declarations'");
                return false;
            }
            for (std::size_t d = 0; d < decls->get_array().size(); ++d) {
                const std::string where =
                    "tools[" + std::to_string(t) + "].function_declarations[" + std::to_string(d) + "]";
                const auto *decl = decls->get_array()[d].if_object();
                const auto name = decl ? string_member(*decl, "name") : std::nullopt;
                if (!name || !valid_function_name(*name)) {
                    error = invalid_argument("* GenerateContentRequest." + where +
                                             ".name: Invalid function name. Must start with a letter or an "
                                             "underscore. Must be alphameric (a-z, A-Z, 0-9), underscores (_), dots "
                                             "(.), colons (:), or dashes (-), with a maximum length of 64.");
                    return false;
                }
                ToolSpec spec;
                spec.name = std::string(*name);
                if (const auto *schema = member(*decl, "parametersJsonSchema", "parameters_json_schema"))
                    spec.parameters = *schema;
                else if (const auto *params = member(*decl, "parameters"))
                    spec.parameters = lower_case_types(*params);
                prompt.tools.push_back(std::move(spec));
            }
        }
    }
    const auto *config = member(root, "toolConfig", "tool_config");
    const auto *fcc = config && config->is_object()
                          ? member(config->get_object(), "functionCallingConfig", "function_calling_config")
                          : nullptr;
    if (!fcc || !fcc->is_object()) return true;
    const auto &calling = fcc->get_object();
    const auto mode = string_member(calling, "mode").value_or("AUTO");
    std::vector<std::string> allowed;
    if (const auto *names = member(calling, "allowedFunctionNames", "allowed_function_names");
        names && names->is_array()) {
        for (const auto &n : names->get_array()) {
            if (n.is_string()) allowed.emplace_back(n.get_string());
        }
    }
    if (mode == "NONE") {
        prompt.tool_choice = ToolChoice::none;
    } else if (mode == "ANY") {
        if (!allowed.empty()) {
            std::erase_if(prompt.tools, [&](const ToolSpec &t) {
                return std::find(allowed.begin(), allowed.end(), t.name) == allowed.end();
            });
        }
        if (prompt.tools.empty()) {
            error = invalid_argument("Unable to submit request because function calling mode ANY needs at least one "
                                     "function declaration (among allowed_function_names).");
            return false;
        }
        prompt.tool_choice = ToolChoice::required;
    } else if (mode != "AUTO" && mode != "VALIDATED" && mode != "MODE_UNSPECIFIED") {
        error = invalid_argument("Invalid value at 'tool_config.function_calling_config.mode' (type.googleapis.com/"
                                 "google.cloud.aiplatform.v1.FunctionCallingConfig.Mode), \"" + std::string(mode) + "\"");
        return false;
    }
    return true;
}

// Gemini 3 refuses a function call of the current turn (since the last user
// text) whose model content lacks the signature on its first functionCall part.
bool check_current_turn_signatures(const json::object &root, const SimPrompt &prompt, ApiError &error) {
    if (prompt.model.find("gemini-3") == std::string::npos) return true;
    const auto &list = member(root, "contents")->get_array();
    std::size_t start = 0;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto &c = list[i].get_object();
        const auto role = string_member(c, "role").value_or("user");
        if (role != "user") continue;
        for (const auto &p : member(c, "parts")->get_array())
            if (p.get_object().contains("text")) start = i;
    }
    for (std::size_t i = start; i < list.size(); ++i) {
        const auto &c = list[i].get_object();
        if (string_member(c, "role").value_or("") != "model") continue;
        for (const auto &p : member(c, "parts")->get_array()) {
            const auto &part = p.get_object();
            const auto *call = member(part, "functionCall", "function_call");
            if (!call) continue;
            if (member(part, "thoughtSignature", "thought_signature")) break; // the first call is signed
            error = invalid_argument("Unable to submit request because function call `" +
                                     std::string(string_member(call->get_object(), "name").value_or("")) + "` in the " +
                                     std::to_string(i + 1) + ". content block is missing a `thought_signature`." +
                                     std::string(kLearnMore));
            return false;
        }
    }
    return true;
}

// thinkingConfig: thinkingBudget (Gemini 2.5) or thinkingLevel (Gemini 3), never both.
bool parse_thinking_config(const json::object &gc, SimPrompt &prompt, ApiError &error) {
    const bool gemini3 = prompt.model.find("gemini-3") != std::string::npos;
    if (gemini3) prompt.thinking_budget = 8192; // Gemini 3 always thinks
    prompt.show_thinking = false;
    const auto *config = member(gc, "thinkingConfig", "thinking_config");
    if (!config || !config->is_object()) return true;
    const auto &tc = config->get_object();
    const auto *budget = member(tc, "thinkingBudget", "thinking_budget");
    const auto *level = member(tc, "thinkingLevel", "thinking_level");
    if (budget && level) {
        error = invalid_argument("Unable to submit request because thinking_budget and thinking_level are not "
                                 "supported together." + std::string(kLearnMore));
        return false;
    }
    if (level && !gemini3) {
        error = invalid_argument("Unable to submit request because thinking_level is not supported by this model." +
                                 std::string(kLearnMore));
        return false;
    }
    if (level) {
        const auto name = level->is_string() ? std::string(level->get_string()) : std::string();
        if (name != "LOW" && name != "HIGH" && name != "low" && name != "high") {
            error = invalid_argument("Invalid value at 'generation_config.thinking_config.thinking_level'");
            return false;
        }
    }
    if (budget) {
        const auto n = as_uint(*budget);
        if (!n) {
            error = invalid_argument("Invalid value at 'generation_config.thinking_config.thinking_budget' (TYPE_INT32)");
            return false;
        }
        if (*n > 0) prompt.thinking_budget = *n;
    } else if (level) {
        prompt.thinking_budget = 8192;
    }
    if (const auto *show = member(tc, "includeThoughts", "include_thoughts"); show && show->is_bool())
        prompt.show_thinking = show->get_bool() && prompt.thinking_budget.has_value();
    return true;
}

// A responseSchema (Vertex's Schema message): upper-case types and only the
// message's fields, as the proto JSON parser checks them.
bool check_vertex_schema(const json::value &schema, const std::string &where, int depth, ApiError &error) {
    static constexpr std::array<std::string_view, 22> kFields{
        "type",      "format",   "title",     "description", "nullable",      "default",       "enum",
        "required",  "minItems", "maxItems",  "minimum",     "maximum",       "minLength",     "maxLength",
        "pattern",   "example",  "properties", "items",      "anyOf",         "propertyOrdering", "minProperties",
        "maxProperties"};
    static constexpr std::array<std::string_view, 8> kTypes{"TYPE_UNSPECIFIED", "STRING", "NUMBER", "INTEGER",
                                                            "BOOLEAN",          "ARRAY",  "OBJECT", "NULL"};
    const auto *o = schema.if_object();
    if (!o || depth > 64) {
        error = invalid_argument("Invalid value at '" + where + "' (type.googleapis.com/google.cloud.aiplatform.v1.Schema)");
        return false;
    }
    for (const auto &m : *o) {
        const std::string key(m.key());
        if (std::find(kFields.begin(), kFields.end(), key) == kFields.end()) {
            error = invalid_argument("Invalid JSON payload received. Unknown name \"" + key + "\" at '" + where +
                                     "': Cannot find field.");
            return false;
        }
        if (key == "type" && !(m.value().is_string() &&
                               std::find(kTypes.begin(), kTypes.end(), std::string_view(m.value().get_string())) != kTypes.end())) {
            error = invalid_argument("Invalid value at '" + where + ".type' (type.googleapis.com/google.cloud.aiplatform.v1.Type), " +
                                     json::serialize(m.value()));
            return false;
        }
        if (key == "properties") {
            if (!m.value().is_object()) return check_vertex_schema(json::value(), where + ".properties", depth + 1, error);
            for (const auto &p : m.value().get_object())
                if (!check_vertex_schema(p.value(), where + ".properties[" + std::string(p.key()) + "].value", depth + 1, error))
                    return false;
        }
        if (key == "items" && !check_vertex_schema(m.value(), where + ".items", depth + 1, error)) return false;
        if (key == "anyOf") {
            if (!m.value().is_array()) return check_vertex_schema(json::value(), where + ".any_of", depth + 1, error);
            for (std::size_t i = 0; i < m.value().get_array().size(); ++i)
                if (!check_vertex_schema(m.value().get_array()[i], where + ".any_of[" + std::to_string(i) + "]", depth + 1, error))
                    return false;
        }
    }
    return true;
}

// responseMimeType "application/json" (or "text/plain") with an optional
// responseSchema (checked as Vertex's Schema) or responseJsonSchema (JSON
// Schema), never both; a schema needs the JSON mime type.
bool parse_response_format(const json::object &gc, SimPrompt &prompt, ApiError &error) {
    const auto *mime = member(gc, "responseMimeType", "response_mime_type");
    const auto *schema = member(gc, "responseSchema", "response_schema");
    const auto *json_schema = member(gc, "responseJsonSchema", "response_json_schema");
    const bool json_mime = mime && mime->is_string() && mime->get_string() == "application/json";
    if (mime && !(mime->is_string() && (json_mime || mime->get_string() == "text/plain" || mime->get_string() == "text/x.enum"))) {
        error = invalid_argument("Unable to submit request because it has a response_mime_type that is not supported. "
                                 "Supported: application/json, text/plain, text/x.enum.");
        return false;
    }
    if ((schema || json_schema) && !json_mime) {
        error = invalid_argument("Unable to submit request because response_schema is only supported with "
                                 "response_mime_type application/json.");
        return false;
    }
    if (schema && json_schema) {
        error = invalid_argument("Unable to submit request because it sets both response_schema and "
                                 "response_json_schema; use one.");
        return false;
    }
    if (schema && !check_vertex_schema(*schema, "generation_config.response_schema", 0, error)) return false;
    prompt.json_response = json_mime;
    if (schema) prompt.response_schema = *schema;
    if (json_schema) prompt.response_schema = *json_schema;
    return true;
}

bool parse_generation_config(const json::object &root, SimPrompt &prompt, ApiError &error) {
    if (!check_current_turn_signatures(root, prompt, error)) return false;
    const auto *config = member(root, "generationConfig", "generation_config");
    if (!config || config->is_null()) return parse_thinking_config(json::object(), prompt, error);
    if (!config->is_object()) {
        error = invalid_argument("Invalid value at 'generation_config' (type.googleapis.com/google.cloud.aiplatform.v1.GenerationConfig)");
        return false;
    }
    const auto &gc = config->get_object();
    if (!parse_thinking_config(gc, prompt, error) || !parse_response_format(gc, prompt, error)) return false;
    if (const auto *max = member(gc, "maxOutputTokens", "max_output_tokens"); max && !max->is_null()) {
        const auto n = as_uint(*max);
        if (!n || *n < 1) {
            error = invalid_argument("Unable to submit request because it has a maxOutputTokens value of " +
                                     json::serialize(*max) +
                                     " but the supported range is from 1 (inclusive) to 65537 (exclusive). Update "
                                     "the value and try again.");
            return false;
        }
        prompt.max_tokens = *n;
    }
    if (const auto *t = member(gc, "temperature"); t && !t->is_null()) {
        const double v = t->is_double() ? t->get_double() : t->is_int64() ? static_cast<double>(t->get_int64()) : -1.0;
        if (!t->is_number() || v < 0.0 || v >= 2.0001) {
            error = invalid_argument("Unable to submit request because it has a temperature value of " +
                                     json::serialize(*t) +
                                     " but the supported range is from 0 (inclusive) to 2.0001 (exclusive). Update "
                                     "the value and try again.");
            return false;
        }
    }
    return true;
}

json::object usage_object(std::uint64_t prompt_tokens, std::uint64_t candidate_tokens) {
    json::object usage;
    usage["promptTokenCount"] = prompt_tokens;
    if (candidate_tokens > 0) usage["candidatesTokenCount"] = candidate_tokens;
    usage["totalTokenCount"] = prompt_tokens + candidate_tokens;
    usage["trafficType"] = "ON_DEMAND";
    usage["promptTokensDetails"] = json::array{json::object{{"modality", "TEXT"}, {"tokenCount", prompt_tokens}}};
    if (candidate_tokens > 0)
        usage["candidatesTokensDetails"] =
            json::array{json::object{{"modality", "TEXT"}, {"tokenCount", candidate_tokens}}};
    return usage;
}

json::object response_object(json::array candidates, json::object usage, const ResponseMeta &meta) {
    json::object body;
    body["candidates"] = std::move(candidates);
    body["usageMetadata"] = std::move(usage);
    body["modelVersion"] = meta.model_version;
    body["createTime"] = meta.create_time;
    body["responseId"] = meta.response_id;
    return body;
}

json::object function_call_part(const Reply &reply) {
    const ToolCall &call = *reply.tool_call;
    boost::system::error_code ec;
    json::value args = json::parse(call.arguments, ec);
    if (ec || !args.is_object()) args = json::object();
    json::object part{{"functionCall", json::object{{"name", call.name}, {"args", std::move(args)}}}};
    if (!reply.thinking.empty()) part["thoughtSignature"] = sign_thinking("functionCall:" + call.name);
    return part;
}

// With thinking: the thought summary (includeThoughts) before the answer.
void thought_part(const Reply &reply, bool show, json::array &parts) {
    if (show && !reply.thinking.empty()) parts.push_back(json::object{{"text", reply.thinking}, {"thought", true}});
}

// The answer's last text part carries the signature of the whole text.
void sign_text_part(const Reply &reply, json::object &part) {
    if (!reply.thinking.empty()) part["thoughtSignature"] = sign_thinking("text:" + reply.text());
}

json::array safety_ratings(bool blocked) {
    const auto rating = [](std::string_view category, std::string_view level, double p, bool block) {
        json::object r{{"category", category},
                       {"probability", level},
                       {"probabilityScore", p},
                       {"severity", "HARM_SEVERITY_" + std::string(level)},
                       {"severityScore", p * 0.9}};
        if (block) r["blocked"] = true;
        return r;
    };
    return json::array{rating("HARM_CATEGORY_HATE_SPEECH", "NEGLIGIBLE", 0.03125, false),
                       rating("HARM_CATEGORY_DANGEROUS_CONTENT", blocked ? "HIGH" : "NEGLIGIBLE",
                              blocked ? 0.9375 : 0.0625, blocked),
                       rating("HARM_CATEGORY_HARASSMENT", "NEGLIGIBLE", 0.046875, false),
                       rating("HARM_CATEGORY_SEXUALLY_EXPLICIT", "NEGLIGIBLE", 0.015625, false)};
}

std::string_view trim_version(std::string_view model) {
    const auto at = model.find('@');
    return at == std::string_view::npos ? model : model.substr(0, at);
}

json::object token_count(std::uint64_t tokens, std::uint64_t characters) {
    return json::object{{"totalTokens", tokens}, {"totalBillableCharacters", characters}};
}

} // namespace

ApiError invalid_argument(std::string message) {
    ApiError e;
    e.message = std::move(message);
    return e;
}

ApiError model_not_found(std::string_view resource) {
    ApiError e;
    e.code = 404;
    e.status = "NOT_FOUND";
    e.message = "Publisher Model `" + std::string(resource) +
                "` was not found or your project does not have access to it. Please ensure you are using a valid "
                "model version. For more information, see: "
                "https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versioning";
    return e;
}

std::string error_body(const ApiError &error) {
    json::object inner;
    inner["code"] = error.code;
    inner["message"] = error.message;
    inner["status"] = error.status;
    if (!error.details.empty()) inner["details"] = error.details;
    return json::serialize(json::object{{"error", std::move(inner)}});
}

std::optional<ModelPath> parse_model_path(std::string_view path) {
    if (!path.starts_with('/')) return std::nullopt;
    const auto parts = split(path.substr(1), '/');
    ModelPath out;
    std::size_t i = 0;
    if (parts.size() == 9 && parts[1] == "projects" && parts[3] == "locations" && parts[5] == "publishers" &&
        parts[7] == "models") {
        out.project = percent_decode(parts[2]);
        out.location = percent_decode(parts[4]);
        i = 6;
    } else if (parts.size() == 5 && parts[1] == "publishers" && parts[3] == "models") {
        i = 2;
    } else {
        return std::nullopt;
    }
    out.version = std::string(parts[0]);
    if (out.version != "v1" && out.version != "v1beta1") return std::nullopt;
    out.publisher = percent_decode(parts[i]);
    const std::string last = percent_decode(parts[i + 2]);
    const auto colon = last.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == last.size()) return std::nullopt;
    out.model = last.substr(0, colon);
    out.method = last.substr(colon + 1);
    if (out.project.empty() != out.location.empty() || out.publisher.empty()) return std::nullopt;
    return out;
}

std::optional<OpenApiPath> parse_openapi_path(std::string_view path) {
    if (!path.starts_with('/')) return std::nullopt;
    const auto parts = split(path.substr(1), '/');
    if (parts.size() != 9 || parts[1] != "projects" || parts[3] != "locations" || parts[5] != "endpoints" ||
        parts[6] != "openapi" || parts[7] != "chat" || parts[8] != "completions")
        return std::nullopt;
    OpenApiPath out{std::string(parts[0]), percent_decode(parts[2]), percent_decode(parts[4])};
    if ((out.version != "v1" && out.version != "v1beta1") || out.project.empty() || out.location.empty())
        return std::nullopt;
    return out;
}

std::string resource_name(const ModelPath &path) {
    std::string out;
    if (!path.project.empty()) out = "projects/" + path.project + "/locations/" + path.location + "/";
    return out + "publishers/" + path.publisher + "/models/" + path.model;
}

ModelFamily model_family(std::string_view model) {
    const auto base = trim_version(model);
    if (base.starts_with("gemini-")) return ModelFamily::gemini;
    if (base.starts_with("text-bison")) return ModelFamily::text_bison;
    if (base.starts_with("code-bison")) return ModelFamily::code_bison;
    if (base.starts_with("code-gecko")) return ModelFamily::code_gecko;
    return ModelFamily::unknown;
}

std::optional<GenerateRequest> parse_generate_request(std::string_view body, std::string_view model,
                                                      ApiError &error) {
    boost::system::error_code ec;
    json::value doc = json::parse(body, ec);
    if (ec || !doc.is_object()) {
        error = invalid_argument("Invalid JSON payload received. " +
                                 std::string(ec ? "Unexpected token." : "Expected an object.") + "\n" +
                                 std::string(body.substr(0, 40)) + "\n^");
        return std::nullopt;
    }
    const auto &root = doc.get_object();
    for (const auto &m : root) {
        if (std::find(kRequestFields.begin(), kRequestFields.end(), m.key()) == kRequestFields.end()) {
            error = invalid_argument("Invalid JSON payload received. Unknown name \"" + std::string(m.key()) +
                                     "\": Cannot find field.");
            return std::nullopt;
        }
    }
    GenerateRequest req;
    req.prompt.model = std::string(model);
    if (!parse_system_instruction(root, req.prompt, error) || !parse_contents(root, req.prompt, error) ||
        !parse_tools(root, req.prompt, error) || !parse_generation_config(root, req.prompt, error))
        return std::nullopt;
    return req;
}

std::uint64_t billable_characters(std::string_view text) {
    return static_cast<std::uint64_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)) == 0; }));
}

std::string count_tokens_body(const SimPrompt &prompt) {
    json::object body = token_count(prompt.prompt_tokens, billable_characters(prompt.all_text));
    body["promptTokensDetails"] = json::array{json::object{{"modality", "TEXT"}, {"tokenCount", prompt.prompt_tokens}}};
    return json::serialize(body);
}

std::string finish_reason(FinishReason finish) {
    // A function call ends with STOP: Gemini has no tool-call finish reason.
    return finish == FinishReason::length ? "MAX_TOKENS" : "STOP";
}

std::string generate_body(const Reply &reply, const ResponseMeta &meta, bool show_thinking) {
    json::array parts;
    thought_part(reply, show_thinking, parts);
    if (reply.tool_call) {
        parts.push_back(function_call_part(reply));
    } else {
        json::object text{{"text", reply.text()}};
        sign_text_part(reply, text);
        parts.push_back(std::move(text));
    }
    json::object candidate{{"content", json::object{{"role", "model"}, {"parts", std::move(parts)}}},
                           {"finishReason", finish_reason(reply.finish)}};
    return json::serialize(response_object(json::array{std::move(candidate)},
                                           usage_object(reply.prompt_tokens, reply.completion_tokens), meta));
}

std::string safety_stop_chunk(const Reply &reply, std::size_t pieces_sent, const ResponseMeta &meta) {
    json::object candidate{{"finishReason", "SAFETY"}, {"safetyRatings", safety_ratings(true)}};
    return json::serialize(
        response_object(json::array{std::move(candidate)}, usage_object(reply.prompt_tokens, pieces_sent), meta));
}

std::string blocked_prompt_body(std::uint64_t prompt_tokens, const ResponseMeta &meta) {
    json::object body;
    body["promptFeedback"] = json::object{{"blockReason", "SAFETY"}, {"safetyRatings", safety_ratings(true)}};
    body["usageMetadata"] = usage_object(prompt_tokens, 0);
    body["modelVersion"] = meta.model_version;
    body["createTime"] = meta.create_time;
    body["responseId"] = meta.response_id;
    return json::serialize(body);
}

ChunkStream::ChunkStream(const Reply &reply, ResponseMeta meta, StreamFraming framing, bool safety_stop,
                         bool show_thinking)
    : reply_(reply), meta_(std::move(meta)), framing_(framing), safety_stop_(safety_stop),
      show_thinking_(show_thinking) {}

std::size_t ChunkStream::token_frames() const {
    if (reply_.tool_call) return 1;
    return safety_stop_ ? std::min(kFaultAfterTokens, reply_.pieces.size()) : reply_.pieces.size();
}

std::string ChunkStream::frame(const std::string &json_text) {
    if (framing_ == StreamFraming::sse) return "data: " + json_text + "\r\n\r\n";
    return (frames_++ == 0 ? "[" : ",\r\n") + json_text;
}

bool ChunkStream::next(Frame &out) {
    out.token = false;
    if (closed_) return false;
    if (index_ < token_frames()) {
        json::object candidate;
        json::object usage;
        const bool last = !safety_stop_ && index_ + 1 == token_frames();
        json::array parts;
        if (index_ == 0) thought_part(reply_, show_thinking_, parts);
        if (reply_.tool_call) {
            parts.push_back(function_call_part(reply_));
        } else {
            json::object text{{"text", reply_.pieces[index_]}};
            if (last) sign_text_part(reply_, text);
            parts.push_back(std::move(text));
        }
        candidate["content"] = json::object{{"role", "model"}, {"parts", std::move(parts)}};
        if (last) {
            candidate["finishReason"] = finish_reason(reply_.finish);
            usage = usage_object(reply_.prompt_tokens, reply_.completion_tokens);
        } else {
            usage["trafficType"] = "ON_DEMAND";
        }
        ++index_;
        out.bytes = frame(json::serialize(response_object(json::array{std::move(candidate)}, std::move(usage), meta_)));
        out.token = true;
        return true;
    }
    if (safety_stop_ && !finished_) {
        finished_ = true;
        out.bytes = frame(safety_stop_chunk(reply_, index_, meta_));
        return true;
    }
    closed_ = true;
    if (framing_ == StreamFraming::json_array) {
        out.bytes = frames_ == 0 ? "[]" : "\r\n]";
        return true;
    }
    return false;
}

std::string malformed_chunk(StreamFraming framing) {
    static constexpr std::string_view cut = R"({"candidates":[{"content":{"role":"model","parts":[{"text":"trunc)";
    if (framing == StreamFraming::sse) return "data: " + std::string(cut) + "\r\n\r\n";
    return ",\r\n" + std::string(cut);
}

std::string framed_error_body(const ApiError &error, bool array) {
    return array ? "[" + error_body(error) + "]" : error_body(error);
}

std::optional<PredictRequest> parse_predict_request(std::string_view body, ModelFamily family, std::string_view model,
                                                    ApiError &error) {
    boost::system::error_code ec;
    json::value doc = json::parse(body, ec);
    if (ec || !doc.is_object()) {
        error = invalid_argument("Invalid JSON payload received. Unexpected token.");
        return std::nullopt;
    }
    const auto &root = doc.get_object();
    const auto *instances = root.if_contains("instances");
    if (!instances || !instances->is_array() || instances->get_array().empty()) {
        error = invalid_argument("Invalid request: the request must contain at least one instance in `instances`.");
        return std::nullopt;
    }
    std::optional<std::uint64_t> max_tokens;
    if (const auto *params = root.if_contains("parameters"); params && params->is_object()) {
        const auto &p = params->get_object();
        if (const auto *m = p.if_contains("maxOutputTokens"); m && !m->is_null()) {
            const auto n = as_uint(*m);
            if (!n || *n < 1) {
                error = invalid_argument("The value of parameters.maxOutputTokens must be a positive integer.");
                return std::nullopt;
            }
            max_tokens = *n;
        }
    }
    const std::string_view field = family == ModelFamily::text_bison ? "prompt" : "prefix";
    PredictRequest req;
    const auto &list = instances->get_array();
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto *inst = list[i].if_object();
        const auto text = inst ? string_member(*inst, field) : std::nullopt;
        if (!text) {
            error = invalid_argument("Invalid instance at instances[" + std::to_string(i) + "]: `" + std::string(field) +
                                     "` is required and must be a string.");
            return std::nullopt;
        }
        SimPrompt prompt;
        prompt.model = std::string(model);
        add_prompt_text(prompt.all_text, prompt.prompt_tokens, *text);
        if (family == ModelFamily::code_gecko) {
            if (const auto suffix = string_member(*inst, "suffix"))
                add_prompt_text(prompt.all_text, prompt.prompt_tokens, *suffix);
        }
        prompt.last_user_text = std::string(*text);
        prompt.max_tokens = max_tokens;
        req.instances.push_back(std::move(prompt));
    }
    return req;
}

std::string predict_body(const std::vector<Reply> &replies, const std::vector<SimPrompt> &prompts) {
    json::array predictions;
    std::uint64_t in_tokens = 0;
    std::uint64_t in_chars = 0;
    std::uint64_t out_tokens = 0;
    std::uint64_t out_chars = 0;
    for (std::size_t i = 0; i < replies.size(); ++i) {
        const std::string text = replies[i].text();
        predictions.push_back(json::object{
            {"content", text},
            {"citationMetadata", json::object{{"citations", json::array()}}},
            {"safetyAttributes",
             json::object{{"categories", json::array()}, {"blocked", false}, {"scores", json::array()}}}});
        out_tokens += replies[i].completion_tokens;
        out_chars += billable_characters(text);
        if (i < prompts.size()) {
            in_tokens += prompts[i].prompt_tokens;
            in_chars += billable_characters(prompts[i].all_text);
        }
    }
    json::object token_metadata{{"inputTokenCount", token_count(in_tokens, in_chars)},
                                {"outputTokenCount", token_count(out_tokens, out_chars)}};
    return json::serialize(json::object{{"predictions", std::move(predictions)},
                                        {"metadata", json::object{{"tokenMetadata", std::move(token_metadata)}}}});
}

} // namespace helix::cloudsim::vertex
