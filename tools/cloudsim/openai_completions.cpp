#include "tools/cloudsim/openai_completions.hpp"

#include "daemon/api/sse_frame.hpp"
#include "tools/cloudsim/wire_util.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace helix::cloudsim::openai {

namespace json = boost::json;

namespace {

json::object usage_of(const TextChoices &choices) {
    return json::object{{"prompt_tokens", choices.prompt_tokens},
                        {"completion_tokens", choices.completion_tokens},
                        {"total_tokens", choices.prompt_tokens + choices.completion_tokens}};
}

json::object head(const ReplyMeta &meta) {
    return json::object{{"id", meta.id}, {"object", "text_completion"}, {"created", meta.created}, {"model", meta.model}};
}

ApiError invalid(std::string message, std::string param, std::string code = {}) {
    ApiError e;
    e.message = std::move(message);
    e.param = std::move(param);
    if (!code.empty()) e.code = std::move(code);
    return e;
}

// A logprob the piece gets, the same each time: -(1 + its hash mod 1000) / 1000.
double logprob_of(std::string_view piece) { return -static_cast<double>(1 + fnv1a(piece) % 1000) / 1000.0; }

// The logprobs of `pieces` starting at text offset `offset`; `top` alternatives each.
json::object logprobs_of(const std::vector<std::string> &pieces, std::size_t offset, std::int64_t top,
                         bool first_is_prompt) {
    json::array tokens, token_logprobs, top_logprobs, text_offset;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        const std::string &p = pieces[i];
        tokens.emplace_back(p);
        const bool prompt = first_is_prompt && i == 0;
        if (prompt) {
            token_logprobs.emplace_back(nullptr);
            top_logprobs.emplace_back(nullptr);
        } else {
            token_logprobs.emplace_back(logprob_of(p));
            json::object alternatives{{p, logprob_of(p)}};
            for (std::int64_t k = 1; k < top; ++k) {
                const std::string other = p + "#" + std::to_string(k);
                alternatives[other] = logprob_of(other) - 1.0;
            }
            top_logprobs.emplace_back(std::move(alternatives));
        }
        text_offset.emplace_back(offset);
        offset += p.size();
    }
    return json::object{{"tokens", std::move(tokens)},
                        {"token_logprobs", std::move(token_logprobs)},
                        {"top_logprobs", std::move(top_logprobs)},
                        {"text_offset", std::move(text_offset)}};
}

// A token prompt as text: its numbers, space-separated.
std::optional<std::string> token_text(const json::array &tokens) {
    if (tokens.empty()) return std::nullopt;
    std::string text;
    for (const json::value &t : tokens) {
        if (!t.is_int64() && !t.is_uint64()) return std::nullopt;
        if (!text.empty()) text += ' ';
        text += json::serialize(t);
    }
    return text;
}

std::optional<std::vector<std::string>> prompts_of(const json::value &prompt) {
    if (prompt.is_string()) return std::vector<std::string>{std::string(prompt.get_string())};
    if (!prompt.is_array() || prompt.get_array().empty()) return std::nullopt;
    const json::array &list = prompt.get_array();
    std::vector<std::string> prompts;
    if (list[0].is_string()) {
        for (const json::value &p : list) {
            if (!p.is_string()) return std::nullopt;
            prompts.emplace_back(p.get_string());
        }
    } else if (list[0].is_array()) {
        for (const json::value &p : list) {
            auto text = p.is_array() ? token_text(p.get_array()) : std::nullopt;
            if (!text) return std::nullopt;
            prompts.push_back(std::move(*text));
        }
    } else {
        auto text = token_text(list);
        if (!text) return std::nullopt;
        prompts.push_back(std::move(*text));
    }
    return prompts;
}

std::optional<std::int64_t> integer(const json::object &root, std::string_view key, std::int64_t min, std::int64_t max,
                                    ApiError &error) {
    const json::value *v = root.if_contains(key);
    if (v == nullptr || v->is_null()) return std::nullopt;
    if (!v->is_int64() || v->get_int64() < min || v->get_int64() > max) {
        error = invalid("'" + std::string(key) + "' must be an integer from " + std::to_string(min) + " to " +
                            std::to_string(max) + ".",
                        std::string(key), "invalid_value");
        return std::nullopt;
    }
    return v->get_int64();
}

} // namespace

bool is_completions_model(std::string_view model) {
    return model.find("-instruct") != std::string_view::npos || model.starts_with("davinci-") ||
           model.starts_with("babbage-");
}

std::optional<ChatRequest> parse_completions_request(std::string_view body, ApiError &error, bool require_model) {
    boost::system::error_code ec;
    json::value doc = json::parse(body, ec);
    if (ec || !doc.is_object()) {
        error = invalid("We could not parse the JSON body of your request.", "");
        return std::nullopt;
    }
    json::object &root = doc.get_object();
    const json::value *prompt = root.if_contains("prompt");
    if (prompt == nullptr) {
        error = invalid("You must provide a prompt.", "prompt");
        return std::nullopt;
    }
    auto legacy = std::make_shared<LegacyCompletion>();
    auto prompts = prompts_of(*prompt);
    if (!prompts) {
        error = invalid("Invalid prompt: the prompt must be a string, an array of strings, an array of tokens or an "
                        "array of token arrays.",
                        "prompt");
        return std::nullopt;
    }
    legacy->prompts = std::move(*prompts);
    error = {};
    const auto n = integer(root, "n", 1, 128, error);
    if (!error.message.empty()) return std::nullopt;
    legacy->n = static_cast<std::uint32_t>(n.value_or(1));
    const auto best_of = integer(root, "best_of", 1, 20, error);
    if (!error.message.empty()) return std::nullopt;
    if (best_of && *best_of < legacy->n) {
        error = invalid("best_of must be greater than or equal to n.", "best_of", "invalid_value");
        return std::nullopt;
    }
    legacy->logprobs = integer(root, "logprobs", 0, 5, error);
    if (!error.message.empty()) return std::nullopt;
    if (const json::value *echo = root.if_contains("echo"); echo != nullptr && !echo->is_null()) {
        if (!echo->is_bool()) {
            error = invalid("'echo' must be a boolean.", "echo", "invalid_type");
            return std::nullopt;
        }
        legacy->echo = echo->get_bool();
    }
    if (const json::value *suffix = root.if_contains("suffix");
        suffix != nullptr && !suffix->is_null() && !suffix->is_string()) {
        error = invalid("'suffix' must be a string.", "suffix", "invalid_type");
        return std::nullopt;
    }
    // The rest of the checks are chat's: the same members mean the same.
    json::object chat;
    for (const char *key : {"model", "max_tokens", "temperature", "top_p", "stop", "stream", "stream_options", "seed",
                            "user", "presence_penalty", "frequency_penalty", "logit_bias"})
        if (const json::value *v = root.if_contains(key); v != nullptr && !v->is_null()) chat[key] = *v;
    if (!chat.contains("max_tokens")) chat["max_tokens"] = 16; // OpenAI's default for completions
    chat["messages"] = json::array{json::object{{"role", "user"}, {"content", legacy->prompts.front()}}};
    auto request = parse_chat_request(json::serialize(chat), error, require_model);
    if (request) request->legacy = std::move(legacy);
    return request;
}

TextChoices text_choices(const ChatRequest &request, std::uint32_t reply_tokens, const Dialect &dialect) {
    TextChoices out;
    const LegacyCompletion &legacy = *request.legacy;
    out.logprobs = legacy.logprobs;
    for (const std::string &prompt : legacy.prompts) {
        SimPrompt p = request.prompt;
        p.last_user_text = prompt;
        p.prompt_tokens = count_tokens(prompt);
        out.prompt_tokens += p.prompt_tokens;
        for (std::uint32_t i = 0; i < legacy.n; ++i) {
            p.all_text = i == 0 ? prompt : prompt + "\n#" + std::to_string(i); // another draw for each of n
            Reply reply = generate_reply(p, reply_tokens);
            dialect.adjust(reply);
            out.completion_tokens += reply.completion_tokens;
            out.replies.push_back(std::move(reply));
            out.echoed.push_back(legacy.echo ? prompt : std::string());
        }
    }
    return out;
}

std::string text_completion_body(const TextChoices &choices, const ReplyMeta &meta, const Dialect &dialect) {
    json::object body = head(meta);
    json::array list;
    for (std::size_t i = 0; i < choices.replies.size(); ++i) {
        const Reply &reply = choices.replies[i];
        const std::string &echoed = choices.echoed[i];
        json::value logprobs;
        if (choices.logprobs) {
            std::vector<std::string> pieces;
            if (!echoed.empty()) pieces.push_back(echoed);
            pieces.insert(pieces.end(), reply.pieces.begin(), reply.pieces.end());
            logprobs = logprobs_of(pieces, 0, *choices.logprobs, !echoed.empty());
        }
        json::object choice{{"text", echoed + reply.text()},
                            {"index", i},
                            {"logprobs", std::move(logprobs)},
                            {"finish_reason", dialect.finish(reply)}};
        dialect.on_choice(choice, Dialect::Part::message);
        list.push_back(std::move(choice));
    }
    body["choices"] = std::move(list);
    body["usage"] = usage_of(choices);
    dialect.on_completion(body);
    return json::serialize(body);
}

TextCompletionStream::TextCompletionStream(const TextChoices &choices, ReplyMeta meta, bool include_usage,
                                           const Dialect &dialect)
    : choices_(choices), meta_(std::move(meta)), include_usage_(include_usage), dialect_(dialect) {
    if (std::string prelude = dialect_.prelude(meta_); !prelude.empty()) frames_.push_back(std::move(prelude));
    first_token_ = frames_.size();
    // Piece k of every choice, then piece k + 1: a batch decodes its choices together.
    std::vector<std::size_t> offsets(choices_.replies.size(), 0);
    std::size_t longest = 0;
    for (const Reply &r : choices_.replies) longest = std::max(longest, r.pieces.size());
    for (std::size_t i = 0; i < choices_.replies.size(); ++i) {
        const std::string &echoed = choices_.echoed[i];
        if (echoed.empty()) continue;
        json::value lp;
        if (choices_.logprobs) lp = logprobs_of({echoed}, 0, *choices_.logprobs, true);
        frames_.push_back(chunk(i, echoed, lp, {}, Dialect::Part::token_delta));
        offsets[i] = echoed.size();
        ++tokens_;
    }
    for (std::size_t k = 0; k < longest; ++k) {
        for (std::size_t i = 0; i < choices_.replies.size(); ++i) {
            const Reply &r = choices_.replies[i];
            if (k >= r.pieces.size()) continue;
            json::value lp;
            if (choices_.logprobs) lp = logprobs_of({r.pieces[k]}, offsets[i], *choices_.logprobs, false);
            offsets[i] += r.pieces[k].size();
            frames_.push_back(chunk(i, r.pieces[k], lp, {}, Dialect::Part::token_delta));
            ++tokens_;
        }
    }
    for (std::size_t i = 0; i < choices_.replies.size(); ++i)
        frames_.push_back(chunk(i, "", nullptr, dialect_.finish(choices_.replies[i]), Dialect::Part::finish));
    if (include_usage_) {
        json::object u = head(meta_);
        u["choices"] = json::array{};
        u["usage"] = usage_of(choices_);
        frames_.push_back(helix::api::sse_data(json::serialize(u)));
    }
    frames_.push_back("data: [DONE]\n\n");
}

std::size_t TextCompletionStream::token_frames() const { return tokens_; }

std::string TextCompletionStream::chunk(std::size_t choice, std::string_view text, const json::value &logprobs,
                                        std::string_view finish, Dialect::Part part) const {
    json::object c = head(meta_);
    json::object entry{{"text", text},
                       {"index", choice},
                       {"logprobs", logprobs},
                       {"finish_reason", finish.empty() ? json::value() : json::value(finish)}};
    dialect_.on_choice(entry, part);
    c["choices"] = json::array{std::move(entry)};
    return helix::api::sse_data(json::serialize(c));
}

bool TextCompletionStream::next(Frame &frame) {
    if (next_ >= frames_.size()) return false;
    const std::size_t i = next_++;
    frame.token = i >= first_token_ && i < first_token_ + tokens_;
    frame.bytes = frames_[i];
    return true;
}

} // namespace helix::cloudsim::openai
