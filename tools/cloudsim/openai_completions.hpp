#pragma once
// OpenAI's legacy completions (POST /v1/completions, and Azure's
// deployments/{d}/completions) without I/O, for the models that serve them
// (gpt-3.5-turbo-instruct, davinci-002, babbage-002; Azure's
// gpt-35-turbo-instruct):
//   request: `prompt` a string, a list of strings, a list of tokens or a
//     list of token lists (a token prompt reads as its numbers), `n`
//     (1-128), `best_of` (n-20), `echo`, `logprobs` (0-5), `suffix`, and
//     chat's members of the same names (max_tokens 16 when not given);
//   reply: one choice per prompt and n, index = prompt * n + i, each the
//     chat reply to its prompt ("You said: ..."), with echo the prompt
//     first; logprobs null, or {tokens, token_logprobs, top_logprobs,
//     text_offset} of its pieces (an echoed prompt is one token whose
//     logprob is null); usage summed over the choices;
//   stream: the dialect's prelude, one chunk per piece of each choice (the
//     choices interleaved, as a batch decodes them), a chunk with text ""
//     and the finish_reason per choice, with stream_options.include_usage a
//     chunk with "choices": [] and the usage, then `data: [DONE]`.

#include "tools/cloudsim/openai_wire.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace helix::cloudsim::openai {

// What a completions request adds to the chat request it reads as.
struct LegacyCompletion {
    std::vector<std::string> prompts;
    std::uint32_t n = 1;
    bool echo = false;
    std::optional<std::int64_t> logprobs;
};

// A model of the legacy completions API (and of no chat).
bool is_completions_model(std::string_view model);

// nullopt and `error` (400) for a body OpenAI refuses; the ChatRequest's
// prompt is the first prompt's, its `legacy` the rest.
std::optional<ChatRequest> parse_completions_request(std::string_view body, ApiError &error, bool require_model = true);

// The choices of a request, in index order, and their pieces.
struct TextChoices {
    std::vector<Reply> replies;
    std::vector<std::string> echoed; // per choice: the prompt it starts with ("" without echo)
    std::optional<std::int64_t> logprobs;
    std::uint64_t prompt_tokens = 0;
    std::uint64_t completion_tokens = 0;
};
TextChoices text_choices(const ChatRequest &request, std::uint32_t reply_tokens, const Dialect &dialect);

std::string text_completion_body(const TextChoices &choices, const ReplyMeta &meta, const Dialect &dialect);

class TextCompletionStream final : public FrameSource {
public:
    TextCompletionStream(const TextChoices &choices, ReplyMeta meta, bool include_usage, const Dialect &dialect);
    bool next(Frame &frame) override;
    std::size_t token_frames() const override;

private:
    std::string chunk(std::size_t choice, std::string_view text, const boost::json::value &logprobs,
                      std::string_view finish, Dialect::Part part) const;

    const TextChoices &choices_;
    ReplyMeta meta_;
    bool include_usage_;
    const Dialect &dialect_;
    std::vector<std::string> frames_; // rendered at construction, sent in order
    std::size_t tokens_ = 0;          // frames that carry a piece
    std::size_t first_token_ = 0;
    std::size_t next_ = 0;
};

} // namespace helix::cloudsim::openai
