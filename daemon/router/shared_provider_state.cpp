#include "daemon/router/shared_provider_state.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <random>

namespace helix::router {

namespace asio = boost::asio;

namespace {

const std::string hash_key = "helix:providers";

// Redis's clock in milliseconds.
constexpr const char *clock_ms = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
)lua";

// KEYS[1]: the hash; ARGV: field, milliseconds from now. A later time already there stays.
const redis::Script &publish_script() {
    static const redis::Script script(std::string(clock_ms) + R"lua(
local later = now + tonumber(ARGV[2])
if later > tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') then
  redis.call('HSET', KEYS[1], ARGV[1], string.format('%d', later))
end
return 1
)lua");
    return script;
}

// {now, field, until, ...}; cool-downs that passed, and circuits nobody
// reported on for ten minutes (a replica died probing), are removed.
const redis::Script &poll_script() {
    static const redis::Script script(std::string(clock_ms) + R"lua(
local all = redis.call('HGETALL', KEYS[1])
local out = {now}
for i = 1, #all, 2 do
  local field, untilv = all[i], tonumber(all[i + 1]) or 0
  if (string.sub(field, 1, 5) == 'cool:' and untilv <= now) or untilv + 600000 < now then
    redis.call('HDEL', KEYS[1], field)
  else
    out[#out + 1] = field
    out[#out + 1] = untilv
  end
end
return out
)lua");
    return script;
}

// If KEYS[1] still holds ARGV[1] (this replica's probe): deleted, or with
// ARGV[2] > 0 kept that many milliseconds more.
const redis::Script &release_script() {
    static const redis::Script script(R"lua(
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[2]) > 0 then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return redis.call('DEL', KEYS[1])
)lua");
    return script;
}

std::string replica_id() {
    std::random_device random;
    return std::to_string(random()) + "-" + std::to_string(random());
}

} // namespace

SharedProviderState::SharedProviderState(std::shared_ptr<redis::RedisClient> client, CircuitBreakers &breakers,
                                         ProviderCooldowns &cooldowns, CircuitBreakers::Settings settings,
                                         std::chrono::milliseconds probe_lease)
    : client_(std::move(client)), breakers_(breakers), cooldowns_(cooldowns), settings_(settings),
      probe_lease_(probe_lease), replica_(replica_id()) {}

std::shared_ptr<SharedProviderState> SharedProviderState::make(std::shared_ptr<redis::RedisClient> client,
                                                               CircuitBreakers &breakers, ProviderCooldowns &cooldowns,
                                                               CircuitBreakers::Settings settings,
                                                               std::chrono::milliseconds probe_lease) {
    auto state = std::make_shared<SharedProviderState>(std::move(client), breakers, cooldowns, settings, probe_lease);
    asio::co_spawn(state->client_->background(), poll_loop(state), asio::detached);
    return state;
}

asio::awaitable<void> SharedProviderState::eval_detached(std::shared_ptr<SharedProviderState> self,
                                                         std::vector<std::string> keys, std::vector<std::string> args,
                                                         const redis::Script *script) {
    co_await self->client_->eval(*script, std::move(keys), std::move(args));
}

asio::awaitable<void> SharedProviderState::call_detached(std::shared_ptr<SharedProviderState> self,
                                                         std::vector<std::string> argv) {
    co_await self->client_->call(std::move(argv));
}

void SharedProviderState::send(std::vector<std::string> keys, std::vector<std::string> args, const redis::Script &script) {
    asio::co_spawn(client_->background(), eval_detached(shared_from_this(), std::move(keys), std::move(args), &script),
                   asio::detached);
}

void SharedProviderState::publish_cooldown(const std::string &provider, std::chrono::milliseconds length) {
    send({hash_key}, {"cool:" + provider, std::to_string(length.count())}, publish_script());
}

void SharedProviderState::publish_open(const std::string &key) {
    send({hash_key}, {"open:" + key, std::to_string(settings_.cooldown.count())}, publish_script());
}

void SharedProviderState::publish_closed(const std::string &key) {
    asio::co_spawn(client_->background(), call_detached(shared_from_this(), {"HDEL", hash_key, "open:" + key}),
                   asio::detached);
}

asio::awaitable<bool> SharedProviderState::claim_probe(const std::string &key) {
    std::vector<std::string> argv{"SET", "helix:probe:" + key, replica_, "NX", "PX",
                                  std::to_string(std::max<long>(probe_lease_.count(), 1))};
    const redis::RespResult r = co_await client_->call(std::move(argv));
    if (!r.ok || r.value.is_error()) co_return true; // unreachable: decided here alone
    if (r.value.type == redis::RespValue::Type::status) co_return true;
    // Another replica probes: ask again in a second, or learn its outcome first.
    breakers_.probe_elsewhere(key, settings_, CircuitBreakers::Clock::now() + std::chrono::seconds(1));
    co_return false;
}

void SharedProviderState::release_probe(const std::string &key, bool failed) {
    send({"helix:probe:" + key}, {replica_, failed ? std::to_string(settings_.cooldown.count()) : "0"}, release_script());
}

asio::awaitable<void> SharedProviderState::poll() {
    std::vector<std::string> keys{hash_key};
    const redis::RespResult r = co_await client_->eval(poll_script(), std::move(keys), {});
    if (!r.ok || r.value.type != redis::RespValue::Type::array || r.value.elements.empty()) co_return;
    const auto &e = r.value.elements;
    const auto local_now = CircuitBreakers::Clock::now();
    const std::int64_t redis_now = e[0].integer;
    std::set<std::string> open;
    for (std::size_t i = 1; i + 1 < e.size(); i += 2) {
        const std::string &field = e[i].text;
        const auto at = local_now + std::chrono::milliseconds(e[i + 1].integer - redis_now);
        if (field.starts_with("cool:")) {
            cooldowns_.cool(field.substr(5), at);
        } else if (field.starts_with("open:")) {
            const std::string key = field.substr(5);
            breakers_.hold_open(key, settings_, at);
            open.insert(key);
        }
    }
    // Gone since the last poll: a replica's probe succeeded.
    for (const std::string &key : seen_open_)
        if (!open.contains(key)) breakers_.close(key);
    seen_open_ = std::move(open);
}

asio::awaitable<void> SharedProviderState::poll_loop(std::weak_ptr<SharedProviderState> weak) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        if (const auto self = weak.lock())
            co_await self->poll();
        else
            co_return;
        timer.expires_after(std::chrono::milliseconds(250));
        const auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
    }
}

} // namespace helix::router
