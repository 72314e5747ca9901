#pragma once
// Builds the answer of POST /v1/completions (object "text_completion") from
// the canonical events of one upstream call, whole or as stream chunks.
//
//   whole:  {id, object, created, model, choices: [{text, index, logprobs,
//           finish_reason}, ...], usage {prompt_tokens, completion_tokens,
//           total_tokens}}
//   stream: one chunk per text delta {..., choices: [{text: <delta>, index,
//           logprobs, finish_reason: null}]}, then for each choice a last
//           chunk with the rest of its text and its finish_reason, then with
//           include_usage one chunk with "choices": [] and the usage. The
//           caller ends it with [DONE].
// `choices` is how many the request asked for (prompts x n; events of a
// higher choice are dropped); those the upstream gave come out in index
// order (choice 0 at least). logprobs is null
// unless an EXTRA event named "logprobs" carries the choice's (a whole
// reply's, or streamed those of the next text delta), as a model of the
// legacy completions API gives them. Other EXTRA members go where the chat
// builders put them (Azure's content_filter_results on the choice, on its
// last chunk; prompt_filter_results on the reply, streamed in a chunk of
// their own). Text that is not UTF-8 is repaired.

#include "daemon/api/response_common.hpp"
#include "helixagent/plugin_abi.h"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace helix::api {

class TextCompletionBuilder {
public:
    TextCompletionBuilder(std::string id, std::int64_t created, std::string model, bool stream, bool include_usage,
                          std::size_t choices = 1);

    void add(const helix_event &event, std::vector<std::string> &out);
    void finish(std::vector<std::string> &out);

    boost::json::object to_json() const;
    std::string build() const;

    const Usage &usage() const noexcept { return usage_; }

private:
    struct Choice {
        std::string text;  // whole reply
        std::string carry; // an incomplete UTF-8 sequence
        std::uint32_t finish_reason = HELIX_FINISH_NONE;
        boost::json::value logprobs;  // whole: the choice's; stream: those of the next chunk
        boost::json::object extras;   // whole: the choice's members; stream: those of its next chunk
    };

    boost::json::object head() const;
    // One streamed chunk of choice `index`; takes its pending logprobs and extras.
    std::string chunk(std::uint32_t index, Choice &c, std::string_view text, const char *finish_reason);
    void add_extra(const helix_event &event, Choice &c, std::vector<std::string> &out);

    std::string id_;
    std::int64_t created_;
    std::string model_;
    bool stream_;
    bool include_usage_;
    std::size_t choice_limit_;
    std::map<std::uint32_t, Choice> choices_; // those the upstream sent (memory follows the reply, not the request)
    boost::json::object extras_; // reply-level members (whole reply; streamed: the sticky ones)
    Usage usage_;
    bool finished_ = false;
};

} // namespace helix::api
