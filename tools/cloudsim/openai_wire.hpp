#pragma once
// OpenAI Chat Completions wire format (docs/providers.md, openai), without I/O:
// request parsing and validation into a SimPrompt, the chat.completion body,
// the chat.completion.chunk SSE stream, error bodies and the models list.
// Azure OpenAI's module reuses these with its own additions.

#include "tools/cloudsim/delivery.hpp"
#include "tools/cloudsim/reply_generator.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace helix::cloudsim::openai {

struct LegacyCompletion; // openai_completions.hpp

struct ChatRequest {
    SimPrompt prompt;
    bool stream = false;
    bool include_usage = false; // stream_options.include_usage
    std::shared_ptr<const LegacyCompletion> legacy; // set for POST /v1/completions
};

// {"error":{"message":...,"type":...,"param":...,"code":...}}
struct ApiError {
    int status = 400;
    std::string message;
    std::string type = "invalid_request_error";
    std::optional<std::string> param;
    std::optional<std::string> code;
};

// `require_model`: a missing "model" is an error (OpenAI); Azure OpenAI names
// the model by the deployment in the URL and accepts a body without one.
std::optional<ChatRequest> parse_chat_request(std::string_view body, ApiError &error, bool require_model = true);
std::string error_body(const ApiError &error);

struct ReplyMeta {
    std::string id; // "chatcmpl-..."
    std::int64_t created = 0;
    std::string model;
};

inline constexpr std::string_view kSystemFingerprint = "fp_helixsim01";

std::string finish_reason(FinishReason finish);

// What a service that speaks this wire adds to OpenAI's own replies (Azure
// OpenAI: content filter results, a first chunk with no choices). The base
// class adds nothing: OpenAI's replies. Must outlive the bodies and streams
// rendered with it; its hooks may be called from the stream's thread only.
class Dialect {
public:
    enum class Part {
        message,     // the choice of a chat.completion
        first_delta, // the chunk with the role (and a tool call's name)
        token_delta, // a chunk with a text piece or an argument fragment
        finish,      // the chunk with the finish_reason
    };
    virtual ~Dialect() = default;
    // Adds members to the chat.completion body.
    virtual void on_completion(boost::json::object & /*body*/) const {}
    // Adds members to one choice of the completion or of a chunk.
    virtual void on_choice(boost::json::object & /*choice*/, Part /*part*/) const {}
    // SSE frames sent before the first chunk; empty for none.
    virtual std::string prelude(const ReplyMeta & /*meta*/) const { return {}; }
    virtual std::string finish(const Reply &reply) const { return finish_reason(reply.finish); }
    // Changes the generated reply before it is rendered (Azure's output filter cuts it short).
    virtual void adjust(Reply & /*reply*/) const {}
};

// OpenAI's own replies (the base Dialect).
const Dialect &openai_dialect();

std::string completion_body(const Reply &reply, const ReplyMeta &meta, const Dialect &dialect = openai_dialect());

// The SSE chunks of `reply`: the dialect's prelude, a first chunk with the role (and, for a tool
// call, the call's index, id, type, name and empty arguments), one chunk per
// token (text piece or argument fragment), a chunk with an empty delta and the
// finish_reason, with include_usage a final chunk with "choices":[] and the
// usage, then `data: [DONE]`. `reply` must outlive the stream.
class ChunkStream final : public FrameSource {
public:
    ChunkStream(const Reply &reply, ReplyMeta meta, bool include_usage, const Dialect &dialect = openai_dialect());
    bool next(Frame &frame) override;
    std::size_t token_frames() const override;

private:
    enum class Step { prelude, first, tokens, finish, usage, done, end };
    // `finish` empty: "finish_reason": null.
    std::string chunk(boost::json::object delta, std::string_view finish, Dialect::Part part) const;

    const Reply &reply_;
    ReplyMeta meta_;
    bool include_usage_;
    const Dialect &dialect_;
    std::vector<std::string> fragments_; // tool-call argument fragments
    Step step_ = Step::prelude;
    std::size_t index_ = 0;
};

// A data line whose JSON is cut short (for the malformed-json fault).
std::string malformed_chunk(const ReplyMeta &meta);

std::string models_body();
std::optional<std::string> model_body(std::string_view id);

} // namespace helix::cloudsim::openai
