#include "daemon/api/completions_request.hpp"

#include "daemon/api/errors.hpp"
#include "daemon/api/json_fields.hpp"

#include <boost/json/serialize.hpp>

#include <limits>

namespace helix::api {

namespace {

namespace json = boost::json;
using namespace fields;

constexpr std::int64_t kDefaultMaxTokens = 16; // OpenAI's default for this endpoint

[[noreturn]] void unsupported(const Path &path, std::string message) {
    fail(path, std::move(message), "unsupported_parameter");
}

const json::string &prompt_text(const json::value &v, const Path &path) {
    if (const json::string *s = v.if_string()) return *s;
    if (!v.is_array()) fail_type(path, "a string or an array of strings", v);
    const json::array &list = non_empty_array(v, path, "a prompt");
    if (!list[0].is_string())
        unsupported(path, "Invalid 'prompt': token prompts are not supported by this gateway; send the prompt as text.");
    if (list.size() > 1)
        unsupported(path, "Invalid 'prompt': several prompts in one request are not supported by this gateway; send "
                          "one request per prompt.");
    return list[0].as_string();
}

json::object translate(const json::object &root) {
    const Path top;
    json::object chat{{"model", model_field(root, top)}};
    const json::string &prompt = prompt_text(required(root, "prompt", top.child("prompt")), top.child("prompt"));
    chat["messages"] = json::array{json::object{{"role", "user"}, {"content", prompt}}};

    for (std::string_view one : {"n", "best_of"})
        if (const json::value *v = optional(root, one); v != nullptr && as_integer_in(*v, top.child(one), 1, 128) != 1)
            unsupported(top.child(one), "'" + std::string(one) +
                                            "' above 1 is not supported by this gateway; send several requests.");
    if (const json::value *e = optional(root, "echo"); e != nullptr && as_bool(*e, top.child("echo")))
        unsupported(top.child("echo"), "'echo' is not supported: the prompt goes to a chat model, which does not "
                                       "return it. Prepend it yourself.");
    if (const json::value *l = optional(root, "logprobs");
        l != nullptr && as_integer_in(*l, top.child("logprobs"), 0, 5) != 0)
        unsupported(top.child("logprobs"), "'logprobs' is not supported by this gateway's completions.");
    if (const json::value *s = optional(root, "suffix");
        s != nullptr && !as_string(*s, top.child("suffix")).empty())
        unsupported(top.child("suffix"), "'suffix' (insertion) is not supported by this gateway's completions.");

    std::int64_t max_tokens = kDefaultMaxTokens;
    if (const json::value *m = optional(root, "max_tokens"))
        max_tokens = as_integer_in(*m, top.child("max_tokens"), 1, std::numeric_limits<std::int32_t>::max());
    chat["max_tokens"] = max_tokens;
    // Checked by the chat parser under the same names.
    for (std::string_view same : {"temperature", "top_p", "stop", "seed", "user", "presence_penalty",
                                  "frequency_penalty", "logit_bias"})
        if (const json::value *v = optional(root, same)) chat[same] = *v;
    if (const json::value *s = optional(root, "stream"); s != nullptr && as_bool(*s, top.child("stream"))) {
        chat["stream"] = true;
        if (const json::value *o = optional(root, "stream_options")) chat["stream_options"] = *o;
    }
    return chat;
}

} // namespace

CompletionsParseResult parse_completions_request(std::string body) {
    return guarded<CompletionsParseResult>([&]() -> CompletionsParseResult {
        json::object chat;
        {
            const json::value doc = parse_body(body);
            chat = translate(doc.get_object());
        }
        auto parsed = parse_chat_request(json::serialize(chat));
        if (auto *error = std::get_if<ApiError>(&parsed)) return std::move(*error);
        return CompletionsRequest{std::move(std::get<ChatRequest>(parsed)), std::move(body)};
    });
}

} // namespace helix::api
