#include "daemon/router/embedding_parts.hpp"

#include "helixagent/saturating.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace helix::router {

namespace {

plugins::PluginFailure protocol_failure(const std::string &message) {
    plugins::PluginFailure f;
    f.status = HELIX_ERR_PROTOCOL;
    f.error.struct_size = sizeof f.error;
    std::snprintf(f.error.message, sizeof f.error.message, "%s", message.c_str());
    return f;
}

} // namespace

Prepared EmbeddingPartsCall::start(std::size_t inputs, std::size_t per_call, PreparePart prepare) {
    std::unique_ptr<EmbeddingPartsCall> call(new EmbeddingPartsCall(inputs, per_call, std::move(prepare)));
    Prepared prepared;
    prepared.failure = call->prepare_next();
    if (!prepared.failure) prepared.call = std::move(call);
    return prepared;
}

plugins::PluginFailure EmbeddingPartsCall::prepare_next() {
    first_ = next_;
    count_ = std::min(per_call_, inputs_ - first_);
    next_ = first_ + count_;
    part_prompt_tokens_ = 0;
    part_.reset();
    Prepared prepared = prepare_(first_, count_);
    if (prepared.failure) return prepared.failure;
    if (!prepared.call) return protocol_failure("the provider prepared no call for inputs " + std::to_string(first_));
    part_ = std::move(prepared.call);
    ++parts_;
    return {};
}

plugins::PluginFailure EmbeddingPartsCall::advance() { return prepare_next(); }

helix_event_sink EmbeddingPartsCall::relay(const helix_event_sink &target) {
    target_ = &target;
    helix_event_sink sink{};
    sink.struct_size = sizeof sink;
    sink.ctx = this;
    sink.emit = [](void *ctx, const helix_event *e) { return static_cast<EmbeddingPartsCall *>(ctx)->on_event(*e); };
    return sink;
}

int EmbeddingPartsCall::on_event(const helix_event &event) {
    if (!refusal_.empty()) return 1;
    if (event.type == HELIX_EVENT_USAGE) {
        part_prompt_tokens_ = sdk::non_negative(event.prompt_tokens); // the last one of a part wins
        usage_seen_ = true;
        return 0;
    }
    if (event.type != HELIX_EVENT_EMBEDDING) return target_->emit(target_->ctx, &event);
    if (event.embedding_index >= count_) {
        refusal_ = "the provider returned an embedding for input " + std::to_string(event.embedding_index) +
                   " of a request with " + std::to_string(count_) + " inputs";
        return 1;
    }
    const std::size_t index = first_ + event.embedding_index;
    if (seen_[index]) {
        refusal_ = "the provider returned two embeddings for input " + std::to_string(index);
        return 1;
    }
    if (event.embedding_len == 0 || event.embedding == nullptr) {
        refusal_ = "the provider returned an empty embedding for input " + std::to_string(index);
        return 1;
    }
    if (!std::all_of(event.embedding, event.embedding + event.embedding_len, [](float x) { return std::isfinite(x); })) {
        refusal_ = "the provider returned an embedding with a value that is not a finite number (input " +
                   std::to_string(index) + ")";
        return 1;
    }
    seen_[index] = true;
    helix_event moved = event;
    moved.embedding_index = static_cast<std::uint32_t>(index);
    return target_->emit(target_->ctx, &moved);
}

plugins::PluginFailure EmbeddingPartsCall::checked(plugins::PluginFailure failure) {
    if (!failure && !refusal_.empty()) return protocol_failure(refusal_);
    return failure;
}

plugins::PluginFailure EmbeddingPartsCall::decode(const helix_http_response &response, const helix_event_sink &events) {
    const helix_event_sink sink = relay(events);
    return checked(part_->decode(response, sink));
}

plugins::PluginFailure EmbeddingPartsCall::finish(const helix_event_sink &events) {
    const helix_event_sink sink = relay(events);
    plugins::PluginFailure f = checked(part_->finish(sink));
    if (f) return f;
    const auto got = static_cast<std::size_t>(std::count(seen_.begin() + static_cast<std::ptrdiff_t>(first_),
                                                         seen_.begin() + static_cast<std::ptrdiff_t>(next_), true));
    if (got != count_)
        return protocol_failure("the provider returned " + std::to_string(got) + " embeddings for " +
                                std::to_string(count_) + " inputs");
    prompt_tokens_ = sdk::saturating_add(prompt_tokens_, part_prompt_tokens_);
    if (!more() && usage_seen_) {
        helix_event usage{};
        usage.struct_size = sizeof usage;
        usage.type = HELIX_EVENT_USAGE;
        usage.prompt_tokens = prompt_tokens_;
        if (events.emit(events.ctx, &usage) != 0) return {};
    }
    return {};
}

} // namespace helix::router
