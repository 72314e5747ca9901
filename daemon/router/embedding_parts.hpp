#pragma once
// An embeddings request as one Call of the attempt loop, however many
// upstream requests it takes. A provider that embeds at most `per_call`
// inputs per request (helix_model_info.max_embedding_inputs: one text for
// Titan, 96 for Cohere on Bedrock, one for gemini-embedding-001) gets the
// inputs in consecutive parts of that size, one request after the other; the
// plugin never sees more than its limit, and never knows about the split.
//
// Towards the loop's sink the parts look like one response:
//   - each part's embedding_index (0..part size - 1) is moved to the input's
//     index in the whole request, so the reply keeps the client's order;
//   - an index outside the part, a second vector for one input, a value that
//     is NaN or infinite, or a part that ends without a vector for each of
//     its inputs fails the call (HELIX_ERR_PROTOCOL, 502): never a partial
//     or misordered reply;
//   - USAGE (the last of each part wins, as within one response) is summed
//     over the parts and sent once, when the last part finished.
// A part that fails fails the whole call (the loop may then try another
// candidate from the first part on).

#include "daemon/router/endpoint.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace helix::router {

class EmbeddingPartsCall final : public Call {
public:
    // Prepares the inputs [first, first + count) (the plugin's prepare()).
    using PreparePart = std::function<Prepared(std::size_t first, std::size_t count)>;

    // Prepares the first part; per_call 0 means no limit (one part).
    static Prepared start(std::size_t inputs, std::size_t per_call, PreparePart prepare);

    const helix_http_request &request() const override { return part_->request(); }
    plugins::PluginFailure decode(const helix_http_response &response, const helix_event_sink &events) override;
    plugins::PluginFailure finish(const helix_event_sink &events) override;
    bool more() const override { return next_ < inputs_; }
    plugins::PluginFailure advance() override;

    std::size_t parts_sent() const noexcept { return parts_; }

private:
    EmbeddingPartsCall(std::size_t inputs, std::size_t per_call, PreparePart prepare)
        : inputs_(inputs), per_call_(per_call == 0 ? inputs : per_call), prepare_(std::move(prepare)),
          seen_(inputs, false) {}
    // Prepares the part starting at next_.
    plugins::PluginFailure prepare_next();
    // The table handed to the part's call: relays to `target`.
    helix_event_sink relay(const helix_event_sink &target);
    int on_event(const helix_event &event);
    plugins::PluginFailure checked(plugins::PluginFailure failure);

    const std::size_t inputs_;
    const std::size_t per_call_;
    PreparePart prepare_;
    std::unique_ptr<Call> part_;
    std::size_t first_ = 0; // the current part's first input
    std::size_t count_ = 0; // and its size
    std::size_t next_ = 0;  // where the next part starts
    std::size_t parts_ = 0;
    std::vector<bool> seen_;
    std::int64_t part_prompt_tokens_ = 0;
    std::int64_t prompt_tokens_ = 0;
    bool usage_seen_ = false;
    const helix_event_sink *target_ = nullptr;
    std::string refusal_;
};

} // namespace helix::router
