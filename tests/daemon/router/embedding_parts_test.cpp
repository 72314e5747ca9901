#define BOOST_TEST_MODULE embedding_parts
#include <boost/test/unit_test.hpp>

#include "daemon/router/embedding_parts.hpp"

#include <cstring>
#include <map>
#include <string>
#include <vector>

using namespace helix;

namespace {

// What a fake part does when it finishes.
enum class Misbehaviour { none, skip_one, duplicate, out_of_range, nan, two_usages };

// One part's plugin call: on finish it emits, in reverse order, a vector
// {part-local index, first + local index} for each of its `count` inputs,
// and USAGE of 10 tokens per input.
class FakePart final : public router::Call {
public:
    FakePart(std::size_t first, std::size_t count, Misbehaviour m) : first_(first), count_(count), m_(m) {
        url_ = "http://part/" + std::to_string(first);
        request_.struct_size = sizeof request_;
        request_.url = {url_.data(), url_.size()};
    }
    const helix_http_request &request() const override { return request_; }
    plugins::PluginFailure decode(const helix_http_response &, const helix_event_sink &) override { return {}; }
    plugins::PluginFailure finish(const helix_event_sink &sink) override {
        for (std::size_t k = count_; k-- > 0;) {
            if (m_ == Misbehaviour::skip_one && k == 0) continue;
            std::vector<float> v{static_cast<float>(k), static_cast<float>(first_ + k)};
            if (m_ == Misbehaviour::nan && k == 0) v[0] = std::numeric_limits<float>::quiet_NaN();
            emit_embedding(sink, static_cast<std::uint32_t>(m_ == Misbehaviour::out_of_range ? count_ : k), v);
            if (m_ == Misbehaviour::duplicate) emit_embedding(sink, static_cast<std::uint32_t>(k), v);
        }
        if (m_ == Misbehaviour::two_usages) emit_usage(sink, 1000); // the last of a part wins
        emit_usage(sink, static_cast<std::int64_t>(10 * count_));
        return {};
    }

private:
    static void emit_embedding(const helix_event_sink &sink, std::uint32_t index, const std::vector<float> &v) {
        helix_event e{};
        e.struct_size = sizeof e;
        e.type = HELIX_EVENT_EMBEDDING;
        e.embedding_index = index;
        e.embedding = v.data();
        e.embedding_len = v.size();
        sink.emit(sink.ctx, &e);
    }
    static void emit_usage(const helix_event_sink &sink, std::int64_t prompt) {
        helix_event e{};
        e.struct_size = sizeof e;
        e.type = HELIX_EVENT_USAGE;
        e.prompt_tokens = prompt;
        sink.emit(sink.ctx, &e);
    }

    std::size_t first_, count_;
    Misbehaviour m_;
    std::string url_;
    helix_http_request request_{};
};

// What reached the loop's sink.
struct Collected {
    std::map<std::uint32_t, std::vector<float>> vectors;
    std::vector<std::int64_t> usages;
    helix_event_sink sink{};

    Collected() {
        sink.struct_size = sizeof sink;
        sink.ctx = this;
        sink.emit = [](void *ctx, const helix_event *e) {
            auto *self = static_cast<Collected *>(ctx);
            if (e->type == HELIX_EVENT_EMBEDDING)
                self->vectors[e->embedding_index].assign(e->embedding, e->embedding + e->embedding_len);
            if (e->type == HELIX_EVENT_USAGE) self->usages.push_back(e->prompt_tokens);
            return 0;
        };
    }
};

struct Run {
    std::vector<std::pair<std::size_t, std::size_t>> parts; // (first, count) prepared
    plugins::PluginFailure failure;
    std::vector<std::string> urls;
};

// Drives the call as the attempt loop does: finish each part, then advance while more().
Run drive(std::size_t inputs, std::size_t per_call, Collected &out, Misbehaviour m = Misbehaviour::none,
          std::size_t bad_part = 0, std::size_t refuse_part = SIZE_MAX) {
    Run run;
    router::Prepared prepared = router::EmbeddingPartsCall::start(inputs, per_call, [&](std::size_t first, std::size_t count) {
        router::Prepared p;
        if (run.parts.size() == refuse_part) {
            p.failure.status = HELIX_ERR_RETRY;
            p.failure.error.struct_size = sizeof p.failure.error;
            std::strcpy(p.failure.error.message, "no token");
            return p;
        }
        p.call = std::make_unique<FakePart>(first, count, run.parts.size() == bad_part ? m : Misbehaviour::none);
        run.parts.emplace_back(first, count);
        return p;
    });
    if (prepared.failure) {
        run.failure = prepared.failure;
        return run;
    }
    router::Call &call = *prepared.call;
    for (;;) {
        run.urls.emplace_back(call.request().url.data, call.request().url.len);
        run.failure = call.finish(out.sink);
        if (run.failure || !call.more()) break;
        run.failure = call.advance();
        if (run.failure) break;
    }
    return run;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_batch_is_split_by_the_limit_and_reassembled_in_input_order) {
    Collected out;
    const Run run = drive(7, 3, out);
    BOOST_TEST(!run.failure);
    BOOST_TEST(run.parts == (std::vector<std::pair<std::size_t, std::size_t>>{{0, 3}, {3, 3}, {6, 1}}));
    BOOST_TEST(run.urls == (std::vector<std::string>{"http://part/0", "http://part/3", "http://part/6"}));
    BOOST_REQUIRE(out.vectors.size() == 7U);
    for (std::uint32_t i = 0; i < 7; ++i) {
        // The vector of input i came back at index i (its second value says which input it was made for).
        BOOST_TEST(out.vectors[i].at(1) == static_cast<float>(i));
    }
    // USAGE is summed over the parts and sent once, at the end.
    BOOST_TEST(out.usages == (std::vector<std::int64_t>{70}));
}

BOOST_AUTO_TEST_CASE(no_limit_or_a_small_request_is_one_part) {
    Collected out;
    BOOST_TEST(drive(5, 0, out).parts.size() == 1U);
    Collected out2;
    BOOST_TEST(drive(5, 96, out2).parts.size() == 1U);
    BOOST_TEST(out2.usages == (std::vector<std::int64_t>{50}));
    Collected out3;
    const Run one_each = drive(4, 1, out3); // Titan: one text per call
    BOOST_TEST(one_each.parts.size() == 4U);
    BOOST_TEST(out3.vectors.size() == 4U);
    BOOST_TEST(out3.usages == (std::vector<std::int64_t>{40}));
}

BOOST_AUTO_TEST_CASE(the_last_usage_of_each_part_counts) {
    Collected out;
    BOOST_TEST(!drive(4, 2, out, Misbehaviour::two_usages, 0).failure);
    BOOST_TEST(out.usages == (std::vector<std::int64_t>{40}));
}

BOOST_AUTO_TEST_CASE(a_part_with_a_missing_vector_fails_the_whole_call) {
    Collected out;
    const Run run = drive(6, 2, out, Misbehaviour::skip_one, 1);
    BOOST_TEST(run.failure.status == HELIX_ERR_PROTOCOL);
    BOOST_TEST(run.failure.message().find("1 embeddings for 2 inputs") != std::string::npos);
    BOOST_TEST(run.parts.size() == 2U); // nothing after the failed part
    BOOST_TEST(out.usages.empty());
}

BOOST_AUTO_TEST_CASE(duplicates_out_of_range_indexes_and_nan_are_protocol_errors) {
    for (const Misbehaviour m : {Misbehaviour::duplicate, Misbehaviour::out_of_range, Misbehaviour::nan}) {
        Collected out;
        const Run run = drive(4, 2, out, m, 1);
        BOOST_TEST(run.failure.status == HELIX_ERR_PROTOCOL);
        BOOST_TEST(out.usages.empty());
    }
}

BOOST_AUTO_TEST_CASE(a_part_that_cannot_be_prepared_fails_the_call) {
    Collected out;
    const Run later = drive(6, 2, out, Misbehaviour::none, 0, 2);
    BOOST_TEST(later.failure.status == HELIX_ERR_RETRY);
    BOOST_TEST(later.failure.message() == "no token");
    BOOST_TEST(out.usages.empty());
    Collected out2;
    const Run first = drive(6, 2, out2, Misbehaviour::none, 0, 0);
    BOOST_TEST(first.failure.status == HELIX_ERR_RETRY);
    BOOST_TEST(first.urls.empty());
}
