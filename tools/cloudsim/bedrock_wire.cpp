#include "tools/cloudsim/bedrock_wire.hpp"

#include "tools/cloudsim/media_record.hpp"
#include "tools/cloudsim/prompt_cache.hpp"
#include "tools/cloudsim/thinking.hpp"

#include "daemon/api/media_source.hpp"
#include "plugins/aws_common/event_stream.hpp"
#include "plugins/aws_common/sigv4.hpp"
#include "tools/cloudsim/anthropic_wire.hpp"
#include "tools/cloudsim/wire_util.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <openssl/evp.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <sstream>
#include <stdexcept>

namespace helix::cloudsim::bedrock {

namespace {

namespace json = boost::json;

constexpr std::size_t kArgumentFragmentBytes = 8;
constexpr std::string_view kModelPrefix = "/model/";
constexpr std::string_view kPadding = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
constexpr std::string_view kBedrockNamespace = "http://internal.amazon.com/coral/com.amazon.bedrock/";
constexpr std::string_view kCoralNamespace = "http://internal.amazon.com/coral/com.amazon.coral.service/";

constexpr std::array<std::string_view, 13> kProviders{"anthropic", "meta",    "amazon", "mistral", "cohere",
                                                      "ai21",      "deepseek", "openai", "qwen",    "writer",
                                                      "twelvelabs", "stability", "luma"};
// Cross-region inference profile prefixes.
constexpr std::array<std::string_view, 8> kGeoPrefixes{"us", "eu", "apac", "global", "us-gov", "jp", "au", "ca"};

struct ExceptionInfo {
    std::string_view member; // lowerCamel event-stream union member
    std::string_view type;   // the error code (UpperCamel)
    int status;
    std::string_view message;
};

constexpr std::array<ExceptionInfo, 6> kExceptions{{
    {"throttlingException", "ThrottlingException", 429, "Too many requests, please wait before trying again. (simulated)"},
    {"modelStreamErrorException", "ModelStreamErrorException", 424, "The model stream failed. (simulated)"},
    {"serviceUnavailableException", "ServiceUnavailableException", 503,
     "Bedrock is unable to process your request. (simulated)"},
    {"internalServerException", "InternalServerException", 500,
     "The system encountered an unexpected error during processing. Try your request again. (simulated)"},
    {"validationException", "ValidationException", 400, "The input failed to satisfy the constraints. (simulated)"},
    {"modelTimeoutException", "ModelTimeoutException", 408,
     "Model has timed out in processing the request. Try your request again. (simulated)"},
}};

const ExceptionInfo *find_exception(std::string_view member) {
    for (const auto &e : kExceptions) {
        if (e.member == member) return &e;
    }
    return nullptr;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::optional<double> number_of(const json::value &v) {
    if (v.is_int64()) return static_cast<double>(v.get_int64());
    if (v.is_uint64()) return static_cast<double>(v.get_uint64());
    if (v.is_double()) return v.get_double();
    return std::nullopt;
}

std::string show(const json::value &v) {
    if (v.is_string()) return std::string(v.get_string());
    if (const auto n = number_of(v)) {
        std::ostringstream out;
        out << *n;
        return out.str();
    }
    return json::serialize(v);
}

// Coral's validation message for one constraint.
ApiError constraint(const json::value &value, std::string_view where, std::string_view rule) {
    return validation_error("1 validation error detected: Value '" + show(value) + "' at '" + std::string(where) +
                            "' failed to satisfy constraint: " + std::string(rule));
}

ApiError malformed(std::string_view detail) {
    return validation_error("Malformed input request: " + std::string(detail) + ", please reformat your input and try again.");
}

// Converse's rule for a document's name: letters, digits, whitespace (never
// two in a row), hyphens, parentheses and square brackets.
bool valid_document_name(std::string_view name) {
    if (name.empty() || name.size() > 200) return false;
    bool space = false;
    for (const char c : name) {
        const bool is_space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '(' || c == ')' || c == '[' || c == ']' || is_space;
        if (!ok || (is_space && space)) return false;
        space = is_space;
    }
    return true;
}

// An image or document block as Bedrock checks it: a format of its list, a
// valid name (documents), and a source of bytes (base64 in JSON) or an S3
// object. What arrived is kept in prompt.media.
bool check_media_block(std::string_view key, const json::value &value, const std::string &at, SimPrompt &prompt,
                       ApiError &error) {
    const bool document = key == "document";
    const auto *block = value.if_object();
    if (!block) {
        error = malformed("the " + std::string(key) + " block at " + at + " must be an object");
        return false;
    }
    static const std::vector<std::string_view> image_formats{"png", "jpeg", "gif", "webp"};
    static const std::vector<std::string_view> document_formats{"pdf", "csv", "doc", "docx", "xls",
                                                                "xlsx", "html", "txt", "md"};
    const auto &formats = document ? document_formats : image_formats;
    const auto format = string_member(*block, "format");
    if (!format || std::find(formats.begin(), formats.end(), *format) == formats.end()) {
        std::string list;
        for (const auto f : formats) list += (list.empty() ? "" : ", ") + std::string(f);
        error = constraint(block->contains("format") ? block->at("format") : json::value(nullptr),
                           at + "." + std::string(key) + ".format",
                           "Member must satisfy enum value set: [" + list + "]");
        return false;
    }
    std::string name;
    if (document) {
        const auto n = string_member(*block, "name");
        if (!n || !valid_document_name(*n)) {
            error = validation_error("The document file name can only contain alphanumeric characters, whitespace "
                                     "characters, hyphens, parentheses, and square brackets. The name can't contain more "
                                     "than one consecutive whitespace character.");
            return false;
        }
        name = std::string(*n);
    }
    const auto *source = block->if_contains("source");
    const auto *source_object = source ? source->if_object() : nullptr;
    if (!source_object || source_object->size() != 1) {
        error = validation_error("The source of the " + std::string(key) + " block at " + at +
                                 " must set exactly one of bytes and s3Location.");
        return false;
    }
    if (const auto bytes = string_member(*source_object, "bytes")) {
        const auto decoded = helix::api::base64_decode(*bytes);
        if (!decoded || decoded->empty()) {
            error = malformed("the " + std::string(key) + " bytes at " + at + " are not base64");
            return false;
        }
        prompt.media.push_back(media_record(key, *format, name, *decoded));
        return true;
    }
    const auto *s3 = source_object->if_contains("s3Location");
    const auto uri = s3 && s3->is_object() ? string_member(s3->get_object(), "uri") : std::nullopt;
    if (!uri || !uri->starts_with("s3://")) {
        error = validation_error("The s3Location of the " + std::string(key) + " block at " + at + " needs an s3:// uri.");
        return false;
    }
    prompt.media.push_back(media_uri_record(key, *format, name, *uri));
    return true;
}

std::optional<json::object> parse_object(std::string_view body, ApiError &error) {
    boost::system::error_code ec;
    json::value doc = json::parse(body, ec);
    if (ec || !doc.is_object()) {
        error = ApiError{400, "SerializationException", "Unable to parse the request body as a JSON object.", "message", {}};
        return std::nullopt;
    }
    return std::move(doc.get_object());
}

// The model id without an ARN and a cross-region prefix:
// "arn:aws:bedrock:us-east-1::foundation-model/anthropic.x" -> "anthropic.x",
// "us.anthropic.x" -> "anthropic.x".
std::string_view base_model_id(std::string_view id) {
    if (id.starts_with("arn:")) {
        const auto slash = id.rfind('/');
        id = slash == std::string_view::npos ? std::string_view() : id.substr(slash + 1);
    }
    const auto dot = id.find('.');
    if (dot != std::string_view::npos) {
        const std::string_view first = id.substr(0, dot);
        if (std::find(kGeoPrefixes.begin(), kGeoPrefixes.end(), first) != kGeoPrefixes.end() &&
            id.find('.', dot + 1) != std::string_view::npos)
            id = id.substr(dot + 1);
    }
    return id;
}

} // namespace

bool profile_serves_region(std::string_view model_id, std::string_view region) {
    if (model_id.starts_with("arn:")) return true;
    const std::string_view geo = model_id.substr(0, model_id.find('.'));
    if (geo.size() == model_id.size()) return true;
    // The regions each geography's profiles route within (source regions).
    struct Geo {
        std::string_view prefix, regions;
    };
    static constexpr std::array<Geo, 7> kGeoRegions{{{"us", "us-"},
                                                    {"us-gov", "us-gov-"},
                                                    {"eu", "eu-"},
                                                    {"apac", "ap-"},
                                                    {"jp", "ap-northeast-"},
                                                    {"au", "ap-southeast-"},
                                                    {"ca", "ca-"}}};
    for (const Geo &g : kGeoRegions) {
        if (geo != g.prefix) continue;
        if (geo == "us" && region.starts_with("us-gov-")) return false;
        return region.starts_with(g.regions);
    }
    return true; // global. and foundation model ids
}

namespace {

std::string text_of_tool_result_content(const json::value &content) {
    std::string out;
    if (!content.is_array()) return out;
    for (const auto &item : content.get_array()) {
        const auto *obj = item.if_object();
        if (!obj) continue;
        std::string part;
        if (const auto text = string_member(*obj, "text")) part = std::string(*text);
        else if (const auto *j = obj->if_contains("json")) part = json::serialize(*j);
        else continue;
        if (!out.empty()) out.push_back('\n');
        out += part;
    }
    return out;
}

bool valid_tool_name(std::string_view name) {
    return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
    });
}

// A cachePoint block: {"type": "default"}, on a model with prompt caching
// (Claude, Nova).
bool check_cache_point(const json::value &value, const std::string &at, const SimPrompt &prompt, ApiError &error) {
    const auto *point = value.if_object();
    if (!point || string_member(*point, "type").value_or("") != "default") {
        error = constraint(point && point->contains("type") ? point->at("type") : json::value(nullptr), at + ".cachePoint.type",
                           "Member must satisfy enum value set: [default]");
        return false;
    }
    if (prompt.model.find("anthropic.claude") == std::string::npos && prompt.model.find("amazon.nova") == std::string::npos) {
        error = validation_error("You invoked an unsupported model or your request did not allow prompt caching. See the "
                                 "documentation for more information.");
        return false;
    }
    return true;
}

bool parse_system(const json::object &root, SimPrompt &prompt, ApiError &error) {
    const auto *system = root.if_contains("system");
    if (!system || system->is_null()) return true;
    if (!system->is_array()) {
        error = validation_error("system: expected a list of SystemContentBlock objects");
        return false;
    }
    const auto &blocks = system->get_array();
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        const auto *block = blocks[i].if_object();
        if (!block || block->size() != 1) {
            error = validation_error("system." + std::to_string(i) + ": a SystemContentBlock must set exactly one member");
            return false;
        }
        if (const auto *text = block->if_contains("text")) {
            if (!text->is_string() || text->get_string().empty()) {
                error = validation_error("The text field in the SystemContentBlock object at system." +
                                         std::to_string(i) + " is blank. Add text to the text field, and try again.");
                return false;
            }
            add_prompt_text(prompt.all_text, prompt.prompt_tokens, text->get_string());
            if (!prompt.system_text.empty()) prompt.system_text.push_back('\n');
            prompt.system_text.append(text->get_string());
        } else if (const auto *point = block->if_contains("cachePoint")) {
            if (!check_cache_point(*point, "system." + std::to_string(i), prompt, error)) return false;
            mark_cache_point(prompt);
        }
        // guardContent: no text of its own.
    }
    return true;
}

bool parse_messages(const json::object &root, SimPrompt &prompt, bool &uses_tools, ApiError &error) {
    const auto *messages = root.if_contains("messages");
    if (!messages || !messages->is_array() || messages->get_array().empty()) {
        error = validation_error("A conversation must start with a user message. Try again with a conversation that "
                                 "starts with a user message.");
        return false;
    }
    const auto &list = messages->get_array();
    std::string previous_role;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string where = "messages." + std::to_string(i);
        const auto *msg = list[i].if_object();
        const auto role = msg ? string_member(*msg, "role") : std::nullopt;
        if (!role || (*role != "user" && *role != "assistant")) {
            const json::value shown = msg && msg->contains("role") ? msg->at("role") : json::value(nullptr);
            error = constraint(shown, where + ".role", "Member must satisfy enum value set: [user, assistant]");
            return false;
        }
        if (i == 0 && *role != "user") {
            error = validation_error("A conversation must start with a user message. Try again with a conversation "
                                     "that starts with a user message.");
            return false;
        }
        if (*role == previous_role) {
            error = validation_error("A conversation must alternate between user and assistant roles. Make sure the "
                                     "conversation alternates between user and assistant roles and try again.");
            return false;
        }
        previous_role = std::string(*role);
        const auto *content = msg->if_contains("content");
        if (!content || !content->is_array() || content->get_array().empty()) {
            error = validation_error("The content field in the Message object at " + where +
                                     " is empty. Add a ContentBlock object to the content field and try again.");
            return false;
        }
        const bool last = i + 1 == list.size();
        std::string text;
        std::string pending; // text not yet counted: a cachePoint counts it first
        std::string tool_results;
        bool has_tool_result = false;
        const auto &blocks = content->get_array();
        for (std::size_t b = 0; b < blocks.size(); ++b) {
            const std::string at = where + ".content." + std::to_string(b);
            const auto *block = blocks[b].if_object();
            if (!block || block->size() != 1) {
                error = validation_error("The ContentBlock object at " + at +
                                         " must set exactly one of its members. Try again.");
                return false;
            }
            const auto &member = *block->begin();
            const std::string_view key = member.key();
            const json::value &value = member.value();
            if (key == "text") {
                if (!value.is_string() || value.get_string().find_first_not_of(" \t\r\n") == json::string::npos) {
                    error = validation_error("The text field in the ContentBlock object at " + at +
                                             " is blank. Add text to the text field, and try again.");
                    return false;
                }
                if (!text.empty()) text.push_back('\n');
                text.append(value.get_string());
                if (!pending.empty()) pending.push_back('\n');
                pending.append(value.get_string());
            } else if (key == "toolUse") {
                uses_tools = true;
                const auto *use = value.if_object();
                const auto name = use ? string_member(*use, "name") : std::nullopt;
                if (!use || !string_member(*use, "toolUseId") || !name || !use->contains("input")) {
                    error = validation_error("The toolUse block at " + at + " needs toolUseId, name and input.");
                    return false;
                }
                add_prompt_text(prompt.all_text, prompt.prompt_tokens, *name);
                add_prompt_text(prompt.all_text, prompt.prompt_tokens, json::serialize(use->at("input")));
            } else if (key == "toolResult") {
                uses_tools = true;
                const auto *result = value.if_object();
                if (!result || !string_member(*result, "toolUseId") || !result->contains("content")) {
                    error = validation_error("The toolResult block at " + at + " needs toolUseId and content.");
                    return false;
                }
                const std::string result_text = text_of_tool_result_content(result->at("content"));
                add_prompt_text(prompt.all_text, prompt.prompt_tokens, result_text);
                if (has_tool_result) tool_results.push_back('\n');
                tool_results += result_text;
                has_tool_result = true;
            } else if (key == "reasoningContent") {
                // Earlier reasoning must come back as the simulator signed it.
                const auto *reasoning = value.if_object();
                const auto *signed_text = reasoning ? reasoning->if_contains("reasoningText") : nullptr;
                const auto *redacted = reasoning ? reasoning->if_contains("redactedContent") : nullptr;
                bool ok = false;
                if (signed_text && signed_text->is_object()) {
                    const auto t = string_member(signed_text->get_object(), "text");
                    const auto sig = string_member(signed_text->get_object(), "signature");
                    ok = t && sig && valid_signature(*t, *sig);
                } else if (redacted && redacted->is_string()) {
                    ok = valid_redacted_data(redacted->get_string());
                }
                if (!ok) {
                    error = validation_error("The model returned the following errors: messages." + std::to_string(i) +
                                             ".content." + std::to_string(b) + ": Invalid `signature` in `thinking` block");
                    return false;
                }
            } else if (key == "cachePoint") {
                if (!check_cache_point(value, at, prompt, error)) return false;
                if (!pending.empty()) add_prompt_text(prompt.all_text, prompt.prompt_tokens, pending);
                pending.clear();
                mark_cache_point(prompt);
            } else if (key == "image" || key == "document") {
                if (!check_media_block(key, value, at, prompt, error)) return false;
            } else if (key == "video" || key == "audio" || key == "guardContent" ||
                       key == "citationsContent" || key == "searchResult") {
                // No text the simulator counts.
            } else {
                error = validation_error("The ContentBlock object at " + at + " has an unknown member '" +
                                         std::string(key) + "'.");
                return false;
            }
        }
        if (!pending.empty()) add_prompt_text(prompt.all_text, prompt.prompt_tokens, pending);
        if (*role == "user") prompt.last_user_text = text;
        if (last && *role == "user" && has_tool_result) {
            prompt.ends_with_tool_result = true;
            prompt.tool_result_text = std::move(tool_results);
        }
    }
    return true;
}

bool parse_inference_config(const json::object &root, SimPrompt &prompt, ApiError &error) {
    const auto *config = root.if_contains("inferenceConfig");
    if (!config || config->is_null()) return true;
    if (!config->is_object()) {
        error = validation_error("inferenceConfig: expected an object");
        return false;
    }
    const auto &c = config->get_object();
    if (const auto *v = c.if_contains("maxTokens")) {
        const auto n = uint_member(c, "maxTokens");
        if (!n || *n < 1) {
            error = constraint(*v, "inferenceConfig.maxTokens", "Member must have value greater than or equal to 1");
            return false;
        }
        prompt.max_tokens = *n;
    }
    for (const std::string_view key : {"temperature", "topP"}) {
        const auto *v = c.if_contains(key);
        if (!v) continue;
        const auto n = number_of(*v);
        if (!n) {
            error = validation_error("inferenceConfig." + std::string(key) + ": expected a number");
            return false;
        }
        if (*n < 0 || *n > 1) {
            error = constraint(*v, "inferenceConfig." + std::string(key),
                               *n < 0 ? "Member must have value greater than or equal to 0"
                                      : "Member must have value less than or equal to 1");
            return false;
        }
    }
    if (const auto *v = c.if_contains("stopSequences")) {
        if (!v->is_array() || !std::all_of(v->get_array().begin(), v->get_array().end(),
                                           [](const json::value &s) { return s.is_string() && !s.get_string().empty(); })) {
            error = validation_error("inferenceConfig.stopSequences: expected a list of non-empty strings");
            return false;
        }
    }
    return true;
}

bool parse_tool_config(const json::object &root, SimPrompt &prompt, bool uses_tools, ApiError &error) {
    const auto *config = root.if_contains("toolConfig");
    if (!config || config->is_null()) {
        if (uses_tools) {
            error = validation_error("The toolConfig field must be defined when using toolUse and toolResult content blocks.");
            return false;
        }
        return true;
    }
    const auto *c = config->if_object();
    const auto *tools = c ? c->if_contains("tools") : nullptr;
    if (!tools || !tools->is_array() || tools->get_array().empty()) {
        error = constraint(tools ? *tools : json::value(nullptr), "toolConfig.tools",
                           "Member must have length greater than or equal to 1");
        return false;
    }
    const auto &list = tools->get_array();
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto *tool = list[i].if_object();
        if (!tool || tool->size() != 1) {
            error = validation_error("toolConfig.tools." + std::to_string(i) + ": a Tool must set exactly one member");
            return false;
        }
        if (const auto *point = tool->if_contains("cachePoint")) {
            if (!check_cache_point(*point, "toolConfig.tools." + std::to_string(i), prompt, error)) return false;
            continue;
        }
        const auto *spec = tool->contains("toolSpec") ? tool->at("toolSpec").if_object() : nullptr;
        const auto name = spec ? string_member(*spec, "name") : std::nullopt;
        if (!name || !valid_tool_name(*name)) {
            const json::value shown = spec && spec->contains("name") ? spec->at("name") : json::value(nullptr);
            error = constraint(shown, "toolConfig.tools." + std::to_string(i) + ".member.toolSpec.name",
                               "Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+");
            return false;
        }
        const auto *schema = spec->contains("inputSchema") ? spec->at("inputSchema").if_object() : nullptr;
        if (!schema || schema->size() != 1 || !schema->contains("json")) {
            error = validation_error("toolConfig.tools." + std::to_string(i) +
                                     ".toolSpec.inputSchema: expected {\"json\": <JSON schema>}");
            return false;
        }
        prompt.tools.push_back(ToolSpec{std::string(*name), schema->at("json")});
    }
    const auto *choice = c->if_contains("toolChoice");
    if (!choice || choice->is_null()) return true;
    const auto *choice_obj = choice->if_object();
    if (!choice_obj || choice_obj->size() != 1) {
        error = validation_error("toolConfig.toolChoice: set exactly one of auto, any, tool");
        return false;
    }
    const std::string_view kind = choice_obj->begin()->key();
    if (kind == "auto") {
        prompt.tool_choice = ToolChoice::automatic;
    } else if (kind == "any") {
        prompt.tool_choice = ToolChoice::required;
    } else if (kind == "tool") {
        const auto *t = choice_obj->begin()->value().if_object();
        const auto name = t ? string_member(*t, "name") : std::nullopt;
        const bool offered = name && std::any_of(prompt.tools.begin(), prompt.tools.end(),
                                                 [&](const ToolSpec &s) { return s.name == *name; });
        if (!offered) {
            error = validation_error("toolConfig.toolChoice.tool.name must name one of the tools in toolConfig.tools.");
            return false;
        }
        prompt.tool_choice = ToolChoice::named;
        prompt.tool_choice_name = std::string(*name);
    } else {
        error = validation_error("toolConfig.toolChoice: unknown member '" + std::string(kind) + "'");
        return false;
    }
    return true;
}

json::value tool_input(const ToolCall &call) {
    boost::system::error_code ec;
    json::value input = json::parse(call.arguments, ec);
    if (ec) input = json::object();
    return input;
}

// inputTokens: the prompt tokens neither read from nor written to the cache.
json::object usage(const Reply &reply) {
    json::object u{{"inputTokens", reply.prompt_tokens - reply.cache_read_tokens - reply.cache_write_tokens},
                   {"outputTokens", reply.completion_tokens},
                   {"totalTokens", reply.prompt_tokens + reply.completion_tokens}};
    if (reply.cache_read_tokens > 0 || reply.cache_write_tokens > 0) {
        u["cacheReadInputTokens"] = reply.cache_read_tokens;
        u["cacheWriteInputTokens"] = reply.cache_write_tokens;
    }
    return u;
}

json::object invocation_metrics(const Reply &reply) {
    return json::object{{"inputTokenCount", reply.prompt_tokens},
                        {"outputTokenCount", reply.completion_tokens},
                        {"invocationLatency", 0},
                        {"firstByteLatency", 0}};
}

// Rejects members other than `allowed` the way Bedrock's model input
// validation does.
bool only_members(const json::object &root, std::initializer_list<std::string_view> allowed, ApiError &error) {
    for (const auto &member : root) {
        if (std::find(allowed.begin(), allowed.end(), member.key()) == allowed.end()) {
            error = malformed("#: extraneous key [" + std::string(member.key()) + "] is not permitted");
            return false;
        }
    }
    return true;
}

bool optional_unit_number(const json::object &root, std::string_view key, ApiError &error) {
    const auto *v = root.if_contains(key);
    if (!v) return true;
    const auto n = number_of(*v);
    if (!n || *n < 0 || *n > 1) {
        error = malformed("#/" + std::string(key) + ": " + show(*v) + " is not a number in [0, 1]");
        return false;
    }
    return true;
}

std::optional<std::uint64_t> bounded_count(const json::object &root, std::string_view key, std::string_view where,
                                           std::uint64_t max, ApiError &error, bool &present) {
    present = false;
    const auto *v = root.if_contains(key);
    if (!v) return std::nullopt;
    present = true;
    const auto n = uint_member(root, key);
    if (!n || *n < 1 || *n > max) {
        error = malformed("#/" + std::string(where) + ": " + show(*v) + " is not an integer in [1, " +
                          std::to_string(max) + "]");
        return std::nullopt;
    }
    return n;
}

// Llama 3 / Llama 2 chat templates: the text of the last user turn.
std::string llama_last_user_text(std::string_view prompt) {
    static constexpr std::string_view kUser3 = "<|start_header_id|>user<|end_header_id|>";
    if (const auto at = prompt.rfind(kUser3); at != std::string_view::npos) {
        std::string_view rest = prompt.substr(at + kUser3.size());
        rest = rest.substr(0, rest.find("<|eot_id|>"));
        return std::string(rest);
    }
    if (const auto at = prompt.rfind("[INST]"); at != std::string_view::npos) {
        std::string_view rest = prompt.substr(at + 6);
        rest = rest.substr(0, rest.find("[/INST]"));
        if (const auto sys = rest.rfind("<</SYS>>"); sys != std::string_view::npos) rest = rest.substr(sys + 8);
        return std::string(rest);
    }
    return std::string(prompt);
}

// The prompt without the <|...|> special tokens (replaced by spaces).
std::string without_special_tokens(std::string_view prompt) {
    std::string out;
    out.reserve(prompt.size());
    std::size_t i = 0;
    while (i < prompt.size()) {
        if (prompt.compare(i, 2, "<|") == 0) {
            const auto end = prompt.find("|>", i + 2);
            if (end != std::string_view::npos) {
                out.push_back(' ');
                i = end + 2;
                continue;
            }
        }
        out.push_back(prompt[i++]);
    }
    return out;
}

// Titan's "User: ...\nBot:" convention: the text after the last "User:".
std::string titan_last_user_text(std::string_view text) {
    if (const auto at = text.rfind("User:"); at != std::string_view::npos) {
        std::string_view rest = text.substr(at + 5);
        rest = rest.substr(0, rest.rfind("Bot:"));
        return std::string(rest);
    }
    return std::string(text);
}

std::optional<InvokeRequest> parse_claude(const json::object &root, std::string_view model_id, ApiError &error) {
    if (!only_members(root, {"anthropic_version", "anthropic_beta", "max_tokens", "messages", "system", "temperature",
                             "top_p", "top_k", "stop_sequences", "tools", "tool_choice", "thinking", "metadata"},
                      error))
        return std::nullopt;
    const auto version = string_member(root, "anthropic_version");
    if (!version) {
        error = malformed("#: required key [anthropic_version] not found");
        return std::nullopt;
    }
    if (*version != "bedrock-2023-05-31") {
        error = malformed("#/anthropic_version: " + std::string(*version) + " is not a valid enum value");
        return std::nullopt;
    }
    json::object with_model = root;
    with_model.erase("anthropic_version");
    with_model.erase("anthropic_beta");
    with_model["model"] = anthropic_model_name(model_id);
    anthropic::ApiError e;
    auto request = anthropic::parse_messages_request(json::serialize(with_model), e);
    if (!request) {
        error = malformed(e.message);
        return std::nullopt;
    }
    for (const auto &m : request->prompt.media)
        if (m.contains("uri")) { // Claude on Bedrock takes bytes only
            error = validation_error("URL sources are not supported: send the " + std::string(m.at("kind").as_string().c_str()) +
                                     " as base64");
            return std::nullopt;
        }
    InvokeRequest out;
    out.prompt = std::move(request->prompt);
    out.prompt.model = std::string(model_id);
    out.family = ModelFamily::claude;
    return out;
}

std::optional<InvokeRequest> parse_llama(const json::object &root, std::string_view model_id, ApiError &error) {
    if (!only_members(root, {"prompt", "temperature", "top_p", "max_gen_len", "images"}, error)) return std::nullopt;
    const auto prompt = string_member(root, "prompt");
    if (!prompt) {
        error = malformed("#: required key [prompt] not found");
        return std::nullopt;
    }
    if (!optional_unit_number(root, "temperature", error) || !optional_unit_number(root, "top_p", error))
        return std::nullopt;
    bool present = false;
    const auto max_gen = bounded_count(root, "max_gen_len", "max_gen_len", 2048, error, present);
    if (present && !max_gen) return std::nullopt;
    InvokeRequest out;
    out.family = ModelFamily::llama;
    out.prompt.model = std::string(model_id);
    const std::string plain = without_special_tokens(*prompt);
    add_prompt_text(out.prompt.all_text, out.prompt.prompt_tokens, plain);
    out.prompt.last_user_text = llama_last_user_text(*prompt);
    out.prompt.max_tokens = max_gen.value_or(512);
    return out;
}

std::optional<InvokeRequest> parse_titan(const json::object &root, std::string_view model_id, ApiError &error) {
    if (!only_members(root, {"inputText", "textGenerationConfig"}, error)) return std::nullopt;
    const auto input = string_member(root, "inputText");
    if (!input) {
        error = malformed("#: required key [inputText] not found");
        return std::nullopt;
    }
    InvokeRequest out;
    out.family = ModelFamily::titan;
    out.prompt.model = std::string(model_id);
    out.prompt.max_tokens = 512;
    if (const auto *cfg = root.if_contains("textGenerationConfig")) {
        const auto *c = cfg->if_object();
        if (!c) {
            error = malformed("#/textGenerationConfig: expected type: JSONObject");
            return std::nullopt;
        }
        if (!only_members(*c, {"maxTokenCount", "temperature", "topP", "stopSequences"}, error)) return std::nullopt;
        if (!optional_unit_number(*c, "temperature", error) || !optional_unit_number(*c, "topP", error))
            return std::nullopt;
        bool present = false;
        const auto max = bounded_count(*c, "maxTokenCount", "textGenerationConfig/maxTokenCount", 8192, error, present);
        if (present && !max) return std::nullopt;
        if (max) out.prompt.max_tokens = *max;
    }
    add_prompt_text(out.prompt.all_text, out.prompt.prompt_tokens, *input);
    out.prompt.last_user_text = titan_last_user_text(*input);
    return out;
}

std::string llama_stop(FinishReason finish) { return finish == FinishReason::length ? "length" : "stop"; }
std::string titan_stop(FinishReason finish) { return finish == FinishReason::length ? "LENGTH" : "FINISH"; }

void put_be32(std::string &bytes, std::size_t at, std::uint32_t value) {
    for (std::size_t i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>((value >> (24 - 8 * i)) & 0xFF);
}

// A frame a decoder must refuse although its checksums are right: the
// headers length claims more than the whole frame holds.
void break_headers_length(std::string &frame) {
    const auto crc = [&](std::size_t length) {
        return static_cast<std::uint32_t>(::crc32_z(0, reinterpret_cast<const Bytef *>(frame.data()), length));
    };
    put_be32(frame, 4, 0x00FFFFFF);
    put_be32(frame, 8, crc(8));
    put_be32(frame, frame.size() - 4, crc(frame.size() - 4));
}

std::string encode_or_throw(const helix::aws::Message &message) {
    std::string out;
    if (helix::aws::encode_message(message, out) != helix::aws::EncodeError::none)
        throw std::runtime_error("event-stream frame too large");
    return out;
}

} // namespace

// ---------------------------------------------------------------------------
// Paths, models, errors

bool is_stream(Operation op) { return op == Operation::converse_stream || op == Operation::invoke_stream; }

std::string_view operation_name(Operation op) {
    switch (op) {
    case Operation::converse: return "Converse";
    case Operation::converse_stream: return "ConverseStream";
    case Operation::invoke: return "InvokeModel";
    case Operation::invoke_stream: return "InvokeModelWithResponseStream";
    }
    return "Converse";
}

std::optional<ModelPath> parse_model_path(std::string_view raw_path) {
    if (!raw_path.starts_with(kModelPrefix)) return std::nullopt;
    const std::string_view rest = raw_path.substr(kModelPrefix.size());
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0) return std::nullopt;
    const std::string_view op = rest.substr(slash + 1);
    ModelPath out;
    if (op == "converse") out.operation = Operation::converse;
    else if (op == "converse-stream") out.operation = Operation::converse_stream;
    else if (op == "invoke") out.operation = Operation::invoke;
    else if (op == "invoke-with-response-stream") out.operation = Operation::invoke_stream;
    else return std::nullopt;
    out.model_id = helix::aws::percent_decode(rest.substr(0, slash));
    return out;
}

std::optional<ModelFamily> model_family(std::string_view model_id) {
    if (model_id.empty() || model_id.size() > 2048) return std::nullopt;
    if (model_id.starts_with("arn:")) {
        if (!model_id.starts_with("arn:aws") || model_id.find(":bedrock:") == std::string_view::npos ||
            model_id.find('/') == std::string_view::npos)
            return std::nullopt;
        // Provisioned throughput, custom models and application inference
        // profiles name no model family.
        if (model_id.find(":foundation-model/") == std::string_view::npos &&
            model_id.find(":inference-profile/") == std::string_view::npos)
            return ModelFamily::other;
    }
    const std::string_view base = base_model_id(model_id);
    const auto dot = base.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 >= base.size()) return std::nullopt;
    const std::string_view provider = base.substr(0, dot);
    const std::string_view name = base.substr(dot + 1);
    if (std::find(kProviders.begin(), kProviders.end(), provider) == kProviders.end()) return std::nullopt;
    if (!std::all_of(name.begin(), name.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_' || c == ':';
        }))
        return std::nullopt;
    if (provider == "anthropic" && name.starts_with("claude")) return ModelFamily::claude;
    if (provider == "meta" && name.starts_with("llama")) return ModelFamily::llama;
    if (provider == "amazon" && name.starts_with("titan-text")) return ModelFamily::titan;
    return ModelFamily::other;
}

std::string anthropic_model_name(std::string_view model_id) {
    std::string_view name = base_model_id(model_id);
    if (name.starts_with("anthropic.")) name.remove_prefix(10);
    // Drop the version suffix "-v1:0" / "-v2".
    if (const auto v = name.rfind("-v"); v != std::string_view::npos) {
        const std::string_view version = name.substr(v + 2);
        const bool numeric = !version.empty() && std::all_of(version.begin(), version.end(), [](char c) {
            return (c >= '0' && c <= '9') || c == ':';
        });
        if (numeric && std::isdigit(static_cast<unsigned char>(version.front())) != 0) name = name.substr(0, v);
    }
    return std::string(name);
}

ApiError validation_error(std::string message) {
    ApiError e;
    e.message = std::move(message);
    return e;
}

ApiError invalid_model_error() { return validation_error("The provided model identifier is invalid."); }

ApiError unknown_operation(std::string_view method, std::string_view path) {
    ApiError e;
    e.status = 404;
    e.type = "UnknownOperationException";
    e.message = "No operation matches " + std::string(method) + " " + std::string(path) +
                " (helix-cloudsim serves POST /model/{modelId}/converse, converse-stream, invoke, "
                "invoke-with-response-stream)";
    return e;
}

std::string error_body(const ApiError &error) {
    json::object body;
    body[error.message_key] = error.message;
    for (const auto &member : error.extra) body[member.key()] = member.value();
    return json::serialize(body);
}

std::string error_type_header(std::string_view type) {
    static constexpr std::array<std::string_view, 6> kAuthErrors{
        "InvalidSignatureException",     "UnrecognizedClientException",       "IncompleteSignatureException",
        "MissingAuthenticationTokenException", "ExpiredTokenException", "UnknownOperationException"};
    const bool coral = std::find(kAuthErrors.begin(), kAuthErrors.end(), type) != kAuthErrors.end();
    return std::string(type) + ":" + std::string(coral ? kCoralNamespace : kBedrockNamespace);
}

ApiError fault_error(FaultKind fault) {
    switch (fault) {
    case FaultKind::rate_limited: return exception_as_error("throttlingException");
    case FaultKind::server_error: return exception_as_error("internalServerException");
    default: return exception_as_error("serviceUnavailableException"); // 503, and 529: Bedrock has no 529
    }
}

// ---------------------------------------------------------------------------
// Converse

// additionalModelRequestFields.thinking (Claude): {"type":"enabled","budget_tokens":N}.
bool parse_thinking(const json::object &root, SimPrompt &prompt, ApiError &error) {
    const auto *fields = root.if_contains("additionalModelRequestFields");
    const auto *thinking = fields && fields->is_object() ? fields->get_object().if_contains("thinking") : nullptr;
    if (!thinking) return true;
    const auto *t = thinking->if_object();
    if (!t || string_member(*t, "type").value_or("") != "enabled") return true;
    const auto budget = uint_member(*t, "budget_tokens");
    if (!budget || *budget < 1024) {
        error = validation_error("The model returned the following errors: thinking.enabled.budget_tokens: Input "
                                 "should be greater than or equal to 1024");
        return false;
    }
    if (prompt.max_tokens && *budget >= *prompt.max_tokens) {
        error = validation_error("The model returned the following errors: `max_tokens` must be greater than "
                                 "`thinking.budget_tokens`.");
        return false;
    }
    prompt.thinking_budget = *budget;
    return true;
}

// additionalModelRequestFields.reasoningConfig (Nova 2): {"type": "enabled" |
// "disabled", "maxReasoningEffort": "low" | "medium" | "high"}; the reply
// then reasons like Claude, with a budget by effort. Other models refuse it.
bool parse_reasoning_config(const json::object &root, std::string_view model_id, SimPrompt &prompt, ApiError &error) {
    const auto *fields = root.if_contains("additionalModelRequestFields");
    const auto *config = fields && fields->is_object() ? fields->get_object().if_contains("reasoningConfig") : nullptr;
    if (!config) return true;
    if (model_id.find("amazon.nova-2-") == std::string_view::npos) {
        error = validation_error("The model returned the following errors: Malformed input request: extraneous key "
                                 "[reasoningConfig] is not permitted, please reformat your input and try again.");
        return false;
    }
    const auto *c = config->if_object();
    const auto type = c ? string_member(*c, "type") : std::nullopt;
    if (!type || (*type != "enabled" && *type != "disabled")) {
        error = validation_error("The model returned the following errors: reasoningConfig.type must be one of "
                                 "[enabled, disabled]");
        return false;
    }
    if (*type == "disabled") return true;
    const auto effort = string_member(*c, "maxReasoningEffort").value_or("low");
    static constexpr std::array<std::pair<std::string_view, std::uint64_t>, 3> budgets{
        {{"low", 2048}, {"medium", 8192}, {"high", 16384}}};
    const auto it = std::find_if(budgets.begin(), budgets.end(), [&](const auto &b) { return b.first == effort; });
    if (it == budgets.end()) {
        error = validation_error("The model returned the following errors: reasoningConfig.maxReasoningEffort must be "
                                 "one of [low, medium, high]");
        return false;
    }
    prompt.thinking_budget = it->second;
    return true;
}

// With thinking on, the assistant turn a tool result answers must start with its reasoning.
bool check_tool_turn_reasoning(const json::object &root, ApiError &error) {
    const auto &list = root.at("messages").get_array();
    if (list.size() < 2) return true;
    const auto &last = list.back().get_object().at("content").get_array();
    bool tool_result = false;
    for (const auto &b : last) tool_result = tool_result || b.get_object().contains("toolResult");
    if (!tool_result) return true;
    const auto &prev = list[list.size() - 2].get_object().at("content").get_array();
    if (prev.front().get_object().contains("reasoningContent")) return true;
    error = validation_error("The model returned the following errors: messages." + std::to_string(list.size() - 2) +
                             ".content.0.type: Expected `thinking` or `redacted_thinking`, but found `" +
                             std::string(prev.front().get_object().begin()->key()) +
                             "`. When `thinking` is enabled, a final `assistant` message must start with a thinking block.");
    return false;
}

std::optional<SimPrompt> parse_converse_request(std::string_view body, std::string_view model_id, ApiError &error) {
    auto root = parse_object(body, error);
    if (!root) return std::nullopt;
    SimPrompt prompt;
    prompt.model = std::string(model_id);
    bool uses_tools = false;
    if (!parse_system(*root, prompt, error) || !parse_messages(*root, prompt, uses_tools, error) ||
        !parse_inference_config(*root, prompt, error) || !parse_tool_config(*root, prompt, uses_tools, error))
        return std::nullopt;
    if (model_id.find("anthropic.claude") != std::string_view::npos) {
        if (!parse_thinking(*root, prompt, error)) return std::nullopt;
        if (prompt.thinking_budget && !check_tool_turn_reasoning(*root, error)) return std::nullopt;
    }
    if (!parse_reasoning_config(*root, model_id, prompt, error)) return std::nullopt;
    return prompt;
}

std::string stop_reason(FinishReason finish) {
    switch (finish) {
    case FinishReason::stop: return "end_turn";
    case FinishReason::length: return "max_tokens";
    case FinishReason::tool_call: return "tool_use";
    }
    return "end_turn";
}

std::string tool_use_id(const ToolCall &call) { return "tooluse_" + call.id_suffix; }

std::string converse_body(const Reply &reply, std::int64_t latency_ms) {
    json::array content;
    if (!reply.thinking.empty()) {
        content.push_back(json::object{{"reasoningContent", json::object{{"reasoningText", json::object{
            {"text", reply.thinking}, {"signature", reply.thinking_signature}}}}}});
    }
    if (!reply.redacted_thinking.empty())
        content.push_back(json::object{{"reasoningContent", json::object{{"redactedContent", reply.redacted_thinking}}}});
    if (reply.tool_call) {
        content.push_back(json::object{{"toolUse", json::object{{"toolUseId", tool_use_id(*reply.tool_call)},
                                                                {"name", reply.tool_call->name},
                                                                {"input", tool_input(*reply.tool_call)}}}});
    } else {
        content.push_back(json::object{{"text", reply.text()}});
    }
    return json::serialize(json::object{
        {"output", json::object{{"message", json::object{{"role", "assistant"}, {"content", std::move(content)}}}}},
        {"stopReason", stop_reason(reply.finish)},
        {"usage", usage(reply)},
        {"metrics", json::object{{"latencyMs", latency_ms}}}});
}

std::vector<StreamEvent> converse_stream_events(const Reply &reply) {
    std::vector<StreamEvent> events;
    events.push_back({"messageStart", json::object{{"role", "assistant"}}});
    // Reasoning first: text deltas, then the signature; redacted content apart.
    std::int64_t index = 0;
    if (!reply.thinking.empty()) {
        const auto delta = [&](json::object reasoning) {
            events.push_back({"contentBlockDelta",
                              json::object{{"contentBlockIndex", index},
                                           {"delta", json::object{{"reasoningContent", std::move(reasoning)}}}}});
        };
        for (const auto &piece : split_pieces(reply.thinking)) delta(json::object{{"text", piece}});
        delta(json::object{{"signature", reply.thinking_signature}});
        events.push_back({"contentBlockStop", json::object{{"contentBlockIndex", index}}});
        ++index;
    }
    if (!reply.redacted_thinking.empty()) {
        events.push_back({"contentBlockDelta",
                          json::object{{"contentBlockIndex", index},
                                       {"delta", json::object{{"reasoningContent", json::object{{"redactedContent", reply.redacted_thinking}}}}}}});
        events.push_back({"contentBlockStop", json::object{{"contentBlockIndex", index}}});
        ++index;
    }
    if (reply.tool_call) {
        events.push_back({"contentBlockStart",
                          json::object{{"contentBlockIndex", index},
                                       {"start", json::object{{"toolUse", json::object{{"toolUseId", tool_use_id(*reply.tool_call)},
                                                                                       {"name", reply.tool_call->name}}}}}}});
        for (auto &fragment : split_fragments(reply.tool_call->arguments, kArgumentFragmentBytes)) {
            events.push_back({"contentBlockDelta",
                              json::object{{"contentBlockIndex", index},
                                           {"delta", json::object{{"toolUse", json::object{{"input", fragment}}}}}},
                              true});
        }
    } else {
        // Text blocks start with their first delta (no contentBlockStart).
        for (const auto &piece : reply.pieces) {
            events.push_back(
                {"contentBlockDelta",
                 json::object{{"contentBlockIndex", index}, {"delta", json::object{{"text", piece}}}},
                 true});
        }
    }
    events.push_back({"contentBlockStop", json::object{{"contentBlockIndex", index}}});
    events.push_back({"messageStop", json::object{{"stopReason", stop_reason(reply.finish)}}});
    events.push_back({"metadata",
                      json::object{{"usage", usage(reply)}, {"metrics", json::object{{"latencyMs", 0}}}},
                      false,
                      true});
    return events;
}

// ---------------------------------------------------------------------------
// Stream faults and frames

std::optional<StreamFault> parse_stream_fault(std::string_view text, Operation op, std::string &error) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) text.remove_suffix(1);
    if (iequals(text, "bad-crc")) return StreamFault{StreamFaultKind::bad_crc, {}};
    if (iequals(text, "malformed-frame")) return StreamFault{StreamFaultKind::malformed_frame, {}};
    constexpr std::string_view kException = "exception-frame";
    if (text.size() < kException.size() || !iequals(text.substr(0, kException.size()), kException)) return std::nullopt;
    std::string_view type = text.substr(kException.size());
    if (type.empty()) return StreamFault{StreamFaultKind::exception_frame, "throttlingException"};
    if (type.front() != ':') return std::nullopt;
    type.remove_prefix(1);
    std::string member(type);
    if (!member.empty()) member[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(member[0])));
    const ExceptionInfo *info = find_exception(member);
    // ConverseStream has no modelTimeoutException member.
    if (!info || (op == Operation::converse_stream && member == "modelTimeoutException")) {
        error = "x-sim-fault: unknown exception type '" + std::string(type) + "' for " + std::string(operation_name(op)) +
                " (known: throttlingException, modelStreamErrorException, serviceUnavailableException, "
                "internalServerException, validationException" +
                (op == Operation::converse_stream ? std::string() : std::string(", modelTimeoutException")) + ")";
        return StreamFault{};
    }
    return StreamFault{StreamFaultKind::exception_frame, member};
}

std::string exception_payload(std::string_view exception_type) {
    const ExceptionInfo *info = find_exception(exception_type);
    json::object body{{"message", info ? info->message : "Simulated exception."}};
    if (exception_type == "modelStreamErrorException") {
        body["originalStatusCode"] = 500;
        body["originalMessage"] = "The model returned an error mid-stream. (simulated)";
    }
    return json::serialize(body);
}

ApiError exception_as_error(std::string_view exception_type) {
    const ExceptionInfo *info = find_exception(exception_type);
    if (!info) info = &kExceptions[0];
    ApiError e;
    e.status = info->status;
    e.type = std::string(info->type);
    e.message = std::string(info->message);
    if (exception_type == "modelStreamErrorException") {
        e.extra["originalStatusCode"] = 500;
        e.extra["originalMessage"] = "The model returned an error mid-stream. (simulated)";
    }
    return e;
}

std::string padding(std::size_t index) { return std::string(kPadding.substr(0, 1 + (index * 7) % 40)); }

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char *>(out.data()),
                                  reinterpret_cast<const unsigned char *>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(std::max(n, 0)));
    return out;
}

EventFrames::EventFrames(std::vector<StreamEvent> events, Framing framing, StreamFault fault,
                         std::function<std::int64_t()> elapsed_ms)
    : events_(std::move(events)), framing_(framing), fault_(std::move(fault)), elapsed_ms_(std::move(elapsed_ms)) {
    if (!elapsed_ms_) {
        const auto start = std::chrono::steady_clock::now();
        elapsed_ms_ = [start] {
            return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
        };
    }
    tokens_ = static_cast<std::size_t>(std::count_if(events_.begin(), events_.end(), [](const StreamEvent &e) { return e.token; }));
    strike_after_ = std::min(kFaultAfterTokens, tokens_);
}

std::string EventFrames::encode(StreamEvent &event, std::size_t index) {
    if (event.metrics) {
        const std::int64_t elapsed = elapsed_ms_();
        if (framing_ == Framing::converse) {
            event.payload["metrics"] = json::object{{"latencyMs", elapsed}};
        } else if (auto *m = event.payload.if_contains("amazon-bedrock-invocationMetrics"); m && m->is_object()) {
            m->get_object()["invocationLatency"] = elapsed;
            m->get_object()["firstByteLatency"] = first_byte_ms_.value_or(elapsed);
        }
    }
    json::object payload;
    if (framing_ == Framing::converse) {
        payload = event.payload;
    } else {
        payload["bytes"] = base64(json::serialize(event.payload));
    }
    payload["p"] = padding(index);
    return encode_or_throw(helix::aws::make_event_message(event.type, json::serialize(payload)));
}

bool EventFrames::next(Frame &frame) {
    frame.token = false;
    if (ended_) return false;
    if (fault_.kind == StreamFaultKind::exception_frame && !struck_ && tokens_sent_ >= strike_after_) {
        struck_ = true;
        ended_ = true; // the stream ends after an exception
        frame.bytes = encode_or_throw(
            helix::aws::make_exception_message(fault_.exception_type, exception_payload(fault_.exception_type)));
        return true;
    }
    if (index_ >= events_.size()) return false;
    if (!first_byte_ms_) first_byte_ms_ = elapsed_ms_();
    StreamEvent &event = events_[index_];
    frame.bytes = encode(event, index_);
    ++index_;
    frame.token = event.token;
    if (corrupt_next_) {
        corrupt_next_ = false;
        if (fault_.kind == StreamFaultKind::malformed_frame)
            break_headers_length(frame.bytes);
        else
            frame.bytes.back() = static_cast<char>(frame.bytes.back() ^ 0x5A); // the message CRC's last byte
    }
    if (event.token) {
        ++tokens_sent_;
        if ((fault_.kind == StreamFaultKind::bad_crc || fault_.kind == StreamFaultKind::malformed_frame) && !struck_ &&
            tokens_sent_ == strike_after_) {
            struck_ = true;
            corrupt_next_ = true;
        }
    }
    return true;
}

std::string malformed_frame(Framing framing) {
    const std::string payload = framing == Framing::converse
                                    ? R"({"contentBlockIndex":0,"delta":{"text":"trunc)"
                                    : R"({"bytes":"eyJ0eXBlIjoiY29udGVudF9ibG9j)";
    return encode_or_throw(helix::aws::make_event_message(framing == Framing::converse ? "contentBlockDelta" : "chunk", payload));
}

// ---------------------------------------------------------------------------
// InvokeModel

std::optional<InvokeRequest> parse_invoke_request(std::string_view body, std::string_view model_id, ModelFamily family,
                                                  ApiError &error) {
    boost::system::error_code ec;
    json::value doc = json::parse(body, ec);
    if (ec || !doc.is_object()) {
        error = malformed("#: expected type: JSONObject, the body is not a JSON object");
        return std::nullopt;
    }
    const auto &root = doc.get_object();
    switch (family) {
    case ModelFamily::claude: return parse_claude(root, model_id, error);
    case ModelFamily::llama: return parse_llama(root, model_id, error);
    case ModelFamily::titan: return parse_titan(root, model_id, error);
    case ModelFamily::other: break;
    }
    error = validation_error("helix-cloudsim simulates InvokeModel for anthropic.claude*, meta.llama* and "
                             "amazon.titan-text* models only; use Converse for '" + std::string(model_id) + "'.");
    return std::nullopt;
}

std::string invoke_body(const InvokeRequest &request, const Reply &reply, std::string_view message_id) {
    switch (request.family) {
    case ModelFamily::claude: {
        const anthropic::ReplyMeta meta{std::string(message_id), anthropic_model_name(request.prompt.model)};
        json::value message = json::parse(anthropic::message_body(reply, meta));
        if (auto *u = message.get_object().if_contains("usage"); u && u->is_object()) u->get_object().erase("service_tier");
        return json::serialize(message);
    }
    case ModelFamily::llama:
        return json::serialize(json::object{{"generation", reply.text()},
                                            {"prompt_token_count", reply.prompt_tokens},
                                            {"generation_token_count", reply.completion_tokens},
                                            {"stop_reason", llama_stop(reply.finish)}});
    case ModelFamily::titan:
    case ModelFamily::other: break;
    }
    return json::serialize(json::object{
        {"inputTextTokenCount", reply.prompt_tokens},
        {"results", json::array{json::object{{"tokenCount", reply.completion_tokens},
                                             {"outputText", reply.text()},
                                             {"completionReason", titan_stop(reply.finish)}}}}});
}

std::vector<StreamEvent> invoke_stream_events(const InvokeRequest &request, const Reply &reply,
                                              std::string_view message_id) {
    std::vector<StreamEvent> events;
    if (request.family == ModelFamily::claude) {
        // The Anthropic Messages events (without ping), one per chunk.
        anthropic::EventStream sse(reply, anthropic::ReplyMeta{std::string(message_id), anthropic_model_name(request.prompt.model)});
        Frame frame;
        while (sse.next(frame)) {
            const auto data = frame.bytes.find("data: ");
            if (data == std::string::npos) continue;
            std::string_view text = std::string_view(frame.bytes).substr(data + 6);
            while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
            json::object event = json::parse(text).as_object();
            const auto type = string_member(event, "type").value_or("");
            if (type == "ping") continue;
            if (type == "message_start") {
                auto &usage = event.at("message").as_object().at("usage").as_object();
                usage.erase("service_tier");
            }
            bool token = false;
            if (type == "content_block_delta") {
                const auto &delta = event.at("delta").as_object();
                token = !string_member(delta, "text").value_or("").empty() ||
                        !string_member(delta, "partial_json").value_or("").empty();
            }
            const bool last = type == "message_stop";
            if (last) event["amazon-bedrock-invocationMetrics"] = invocation_metrics(reply);
            events.push_back({"chunk", std::move(event), token, last});
        }
        return events;
    }
    const std::size_t n = reply.pieces.size();
    for (std::size_t i = 0; i < n; ++i) {
        json::object chunk;
        if (request.family == ModelFamily::llama) {
            chunk = json::object{{"generation", reply.pieces[i]},
                                 {"prompt_token_count", i == 0 ? json::value(reply.prompt_tokens) : json::value(nullptr)},
                                 {"generation_token_count", i + 1},
                                 {"stop_reason", nullptr}};
        } else {
            chunk = json::object{{"outputText", reply.pieces[i]},
                                 {"index", 0},
                                 {"totalOutputTextTokenCount", i + 1},
                                 {"completionReason", nullptr},
                                 {"inputTextTokenCount", i == 0 ? json::value(reply.prompt_tokens) : json::value(nullptr)}};
        }
        events.push_back({"chunk", std::move(chunk), true});
    }
    json::object last;
    if (request.family == ModelFamily::llama) {
        last = json::object{{"generation", ""},
                            {"prompt_token_count", n == 0 ? json::value(reply.prompt_tokens) : json::value(nullptr)},
                            {"generation_token_count", reply.completion_tokens},
                            {"stop_reason", llama_stop(reply.finish)}};
    } else {
        last = json::object{{"outputText", ""},
                            {"index", 0},
                            {"totalOutputTextTokenCount", reply.completion_tokens},
                            {"completionReason", titan_stop(reply.finish)},
                            {"inputTextTokenCount", n == 0 ? json::value(reply.prompt_tokens) : json::value(nullptr)}};
    }
    last["amazon-bedrock-invocationMetrics"] = invocation_metrics(reply);
    events.push_back({"chunk", std::move(last), false, true});
    return events;
}

} // namespace helix::cloudsim::bedrock
