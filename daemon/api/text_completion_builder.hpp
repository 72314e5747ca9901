#pragma once
// Builds the answer of POST /v1/completions (object "text_completion") from
// the canonical events of one upstream call, whole or as stream chunks.
//
//   whole:  {id, object, created, model, choices: [{text, index: 0,
//           logprobs: null, finish_reason}], usage {prompt_tokens,
//           completion_tokens, total_tokens}}
//   stream: one chunk per text delta {..., choices: [{text: <delta>, index: 0,
//           logprobs: null, finish_reason: null}]}, a last chunk with text ""
//           and the finish_reason, then with include_usage one chunk with
//           "choices": [] and the usage. The caller ends it with [DONE].
// Only choice 0 counts (n is 1 here); text that is not UTF-8 is repaired.

#include "daemon/api/response_common.hpp"
#include "helixagent/plugin_abi.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace helix::api {

class TextCompletionBuilder {
public:
    TextCompletionBuilder(std::string id, std::int64_t created, std::string model, bool stream, bool include_usage);

    void add(const helix_event &event, std::vector<std::string> &out);
    void finish(std::vector<std::string> &out);

    boost::json::object to_json() const;
    std::string build() const;

    const Usage &usage() const noexcept { return usage_; }

private:
    std::string chunk(std::string_view text, const char *finish_reason) const;

    std::string id_;
    std::int64_t created_;
    std::string model_;
    bool stream_;
    bool include_usage_;
    std::string text_;
    std::string carry_;
    std::uint32_t finish_reason_ = HELIX_FINISH_NONE;
    Usage usage_;
    bool finished_ = false;
};

} // namespace helix::api
