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
constexpr std::int64_t kMaxToken = std::numeric_limits<std::int32_t>::max();

// The prompts of a request: their text for the translation (token prompts
// have none), and the first thing in them a chat model cannot take.
struct Prompts {
    std::string text; // several: '\n'-joined (for the estimate of a native request)
    std::size_t count = 1;
    std::int64_t tokens = 0; // of token prompts
    std::optional<ApiError> needs_native;
};

ApiError unsupported(const Path &path, std::string message) {
    try {
        fail(path, std::move(message), "unsupported_parameter");
    } catch (Invalid &invalid) {
        return std::move(invalid.error);
    }
}

std::int64_t check_tokens(const json::array &tokens, const Path &path) {
    if (tokens.empty()) fail(path, "Invalid 'prompt': a token prompt must not be empty.", "empty_array");
    for (std::size_t i = 0; i < tokens.size(); ++i) as_integer_in(tokens[i], path.at(i), 0, kMaxToken);
    return static_cast<std::int64_t>(tokens.size());
}

ApiError token_prompts(const Path &path) {
    return unsupported(path, "Invalid 'prompt': token prompts are served only by models of the legacy completions "
                             "API (e.g. gpt-3.5-turbo-instruct); send the prompt as text.");
}

Prompts prompts_of(const json::value &v, const Path &path) {
    Prompts p;
    if (const json::string *s = v.if_string()) {
        p.text = *s;
        return p;
    }
    if (!v.is_array()) fail_type(path, "a string, an array of strings or an array of tokens", v);
    const json::array &list = non_empty_array(v, path, "a prompt");
    if (list[0].is_string()) {
        for (std::size_t i = 0; i < list.size(); ++i) {
            const json::string &one = as_string(list[i], path.at(i));
            if (i > 0) p.text += '\n';
            p.text += one;
        }
        p.count = list.size();
        if (p.count > 1)
            p.needs_native = unsupported(path, "Invalid 'prompt': several prompts in one request are served only by "
                                               "models of the legacy completions API (e.g. gpt-3.5-turbo-instruct); "
                                               "send one request per prompt.");
        return p;
    }
    if (list[0].is_array()) {
        for (std::size_t i = 0; i < list.size(); ++i) p.tokens += check_tokens(as_array(list[i], path.at(i)), path.at(i));
        p.count = list.size();
    } else {
        p.tokens = check_tokens(list, path);
    }
    p.needs_native = token_prompts(path);
    return p;
}

// What the translation needs beside the chat body.
struct Translated {
    json::object chat;
    std::optional<ApiError> needs_native;
    std::size_t choices = 1;
    std::int64_t prompt_tokens = 0;
};

Translated translate(const json::object &root) {
    Translated out;
    const Path top;
    json::object &chat = out.chat;
    chat["model"] = model_field(root, top);
    Prompts prompts = prompts_of(required(root, "prompt", top.child("prompt")), top.child("prompt"));
    chat["messages"] = json::array{json::object{{"role", "user"}, {"content", prompts.text}}};
    std::optional<ApiError> &native = out.needs_native;
    native = std::move(prompts.needs_native);
    auto needs = [&native](ApiError e) {
        if (!native) native = std::move(e);
    };

    std::int64_t n = 1;
    if (const json::value *v = optional(root, "n"); v != nullptr && !v->is_null())
        n = as_integer_in(*v, top.child("n"), 1, 128);
    if (const json::value *v = optional(root, "best_of"); v != nullptr && !v->is_null()) {
        const std::int64_t best_of = as_integer_in(*v, top.child("best_of"), 1, 20);
        if (best_of < n) fail(top.child("best_of"), "'best_of' must be greater than or equal to 'n'.", "invalid_value");
        if (best_of != 1)
            needs(unsupported(top.child("best_of"), "'best_of' above 1 is served only by models of the legacy "
                                                    "completions API; send several requests."));
    }
    if (n != 1)
        needs(unsupported(top.child("n"),
                          "'n' above 1 is served only by models of the legacy completions API; send several requests."));
    if (const json::value *e = optional(root, "echo");
        e != nullptr && !e->is_null() && as_bool(*e, top.child("echo")))
        needs(unsupported(top.child("echo"), "'echo' is served only by models of the legacy completions API: a chat "
                                             "model does not return the prompt. Prepend it yourself."));
    if (const json::value *l = optional(root, "logprobs");
        l != nullptr && !l->is_null() && as_integer_in(*l, top.child("logprobs"), 0, 5) != 0)
        needs(unsupported(top.child("logprobs"),
                          "'logprobs' is served only by models of the legacy completions API (e.g. "
                          "gpt-3.5-turbo-instruct)."));
    if (const json::value *s = optional(root, "suffix");
        s != nullptr && !s->is_null() && !as_string(*s, top.child("suffix")).empty())
        needs(unsupported(top.child("suffix"), "'suffix' (insertion) is served only by models of the legacy "
                                               "completions API (e.g. gpt-3.5-turbo-instruct)."));
    out.choices = prompts.count * static_cast<std::size_t>(n);
    out.prompt_tokens = prompts.tokens;

    std::int64_t max_tokens = kDefaultMaxTokens;
    if (const json::value *m = optional(root, "max_tokens"); m != nullptr && !m->is_null())
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
    return out;
}

} // namespace

CompletionsParseResult parse_completions_request(std::string body) {
    return guarded<CompletionsParseResult>([&]() -> CompletionsParseResult {
        Translated translated;
        {
            const json::value doc = parse_body(body);
            translated = translate(doc.get_object());
        }
        auto parsed = parse_chat_request(json::serialize(translated.chat));
        if (auto *error = std::get_if<ApiError>(&parsed)) return std::move(*error);
        return CompletionsRequest{std::move(std::get<ChatRequest>(parsed)), std::move(body),
                                  std::move(translated.needs_native), translated.choices,
                                  translated.prompt_tokens};
    });
}

} // namespace helix::api
