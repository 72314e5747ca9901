#include "daemon/transport/upstream_client.hpp"

#include "daemon/transport/endpoint.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <condition_variable>
#include <algorithm>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <string_view>

namespace helix::transport {

namespace {

namespace asio = boost::asio;

// One exchange's parts, passed from its loop to the waiting caller and the
// caller's answer back: the loop's coroutine waits for the answer (without
// blocking the loop) before it reads on, so each part is only ever read in
// place by the caller. Shared, so that neither side outlives it.
class Handoff final : public AsyncResponseSink {
public:
    explicit Handoff(const asio::any_io_executor &executor) : answers_(executor, 1) {}

    asio::awaitable<bool> on_head(int status, const Headers &headers) override {
        publish([&] {
            part_ = Part::head;
            status_ = status;
            headers_ = &headers;
        });
        co_return co_await answer();
    }
    asio::awaitable<bool> on_body(std::string_view data) override {
        publish([&] {
            part_ = Part::body;
            data_ = data;
        });
        co_return co_await answer();
    }
    void finish(ExchangeResult result) {
        publish([&] {
            part_ = Part::done;
            result_ = std::move(result);
        });
    }

    // On the calling thread: hands each part to the sink until the end.
    ExchangeResult deliver(ResponseSink &sink) {
        for (;;) {
            std::unique_lock lock(mutex_);
            ready_.wait(lock, [&] { return part_ != Part::none; });
            const Part part = std::exchange(part_, Part::none);
            if (part == Part::done) return std::move(result_);
            lock.unlock();
            bool go_on = false;
            try {
                go_on = part == Part::head ? sink.on_head(status_, *headers_) : sink.on_body(data_.data(), data_.size());
            } catch (...) {
                reply(false);
                wait_done();
                throw;
            }
            reply(go_on);
        }
    }

private:
    enum class Part { none, head, body, done };

    template <class Set> void publish(Set set) {
        std::lock_guard lock(mutex_);
        set();
        ready_.notify_one();
    }
    asio::awaitable<bool> answer() {
        auto [ec, go_on] = co_await answers_.async_receive(asio::as_tuple(asio::use_awaitable));
        co_return !ec && go_on;
    }
    void reply(bool go_on) { answers_.try_send(boost::system::error_code{}, go_on); }
    void wait_done() {
        std::unique_lock lock(mutex_);
        for (;;) {
            ready_.wait(lock, [&] { return part_ != Part::none; });
            if (std::exchange(part_, Part::none) == Part::done) return;
            lock.unlock();
            reply(false);
            lock.lock();
        }
    }

    std::mutex mutex_;
    std::condition_variable ready_;
    Part part_ = Part::none;
    int status_ = 0;
    const Headers *headers_ = nullptr;
    std::string_view data_;
    ExchangeResult result_;
    // Capacity 1: the answer may come before the loop waits for it.
    asio::experimental::concurrent_channel<void(boost::system::error_code, bool)> answers_;
};

thread_local const UpstreamClient *transport_thread_of = nullptr;

} // namespace

UpstreamClient::UpstreamClient(std::shared_ptr<const UpstreamSettings> settings, std::size_t loops) {
    for (std::size_t i = 0; i < std::max<std::size_t>(loops, 1); ++i) {
        auto loop = std::make_unique<Loop>(settings);
        loop->thread = std::thread([this, &context = loop->context] {
            transport_thread_of = this;
            context.run();
        });
        loops_.push_back(std::move(loop));
    }
}

UpstreamClient::~UpstreamClient() {
    for (auto &loop : loops_) {
        loop->work.reset();
        loop->context.stop();
    }
    for (auto &loop : loops_) loop->thread.join();
}

bool UpstreamClient::on_own_thread() const { return transport_thread_of == this; }

ExchangeResult UpstreamClient::exchange(const helix_http_request &request, const ExchangeLimits &limits,
                                        ResponseSink &sink) {
    if (on_own_thread())
        return {ExchangeError::bad_request, "a blocking upstream call from a transport thread would wait for itself",
                false};
    // Each upstream is served by one loop, so that its calls share one pool
    // (as many idle connections kept, and reused, as with a single pool).
    const auto endpoint = parse_endpoint(std::string_view(request.url.data, request.url.len));
    Loop &loop = *loops_[endpoint ? std::hash<std::string>{}(endpoint->key()) % loops_.size() : 0];
    auto handoff = std::make_shared<Handoff>(loop.context.get_executor());
    // The request and limits stay alive: this thread waits until the end.
    asio::co_spawn(
        loop.context,
        [&client = loop.client, &request, limits, handoff]() -> asio::awaitable<void> {
            ExchangeResult result;
            try {
                result = co_await client.exchange(request, limits, *handoff);
            } catch (const std::exception &e) {
                result = {ExchangeError::reset, e.what(), false};
            }
            handoff->finish(std::move(result));
        },
        asio::detached);
    return handoff->deliver(sink);
}

std::size_t UpstreamClient::idle_count() const {
    std::size_t n = 0;
    for (const auto &loop : loops_) {
        std::promise<std::size_t> count;
        asio::post(loop->context, [&] { count.set_value(loop->client.idle_count()); });
        n += count.get_future().get();
    }
    return n;
}

} // namespace helix::transport
