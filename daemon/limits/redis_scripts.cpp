#include "daemon/limits/redis_scripts.hpp"

namespace helix::limits {

namespace {

// What both scripts share: Redis's clock and the calendar.
constexpr const char *prelude = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local day = math.floor(now / 86400000000)
-- The month of a day since 1970-01-01 as year * 12 + month - 1 (civil from days).
local function month_of(days)
  local z = days + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local m = mp < 10 and mp + 3 or mp - 9
  if m <= 2 then y = y + 1 end
  return y * 12 + m - 1
end
local month = month_of(day)
local function num(key) return tonumber(redis.call('GET', key) or '0') end
-- A TAT kept until it is in the past (then absent means "now").
local function keep_tat(key, tat)
  local ms = math.ceil((tat - now) / 1000)
  if ms < 1 then ms = 1 end
  redis.call('SET', key, string.format('%d', tat), 'PX', ms + 1000)
end
local function spend(prefix, amount)
  local d = prefix .. ':d:' .. day
  local m = prefix .. ':m:' .. month
  if redis.call('INCRBY', d, amount) < 0 then redis.call('SET', d, 0) end
  if redis.call('INCRBY', m, amount) < 0 then redis.call('SET', m, 0) end
  redis.call('EXPIRE', d, 2 * 86400)
  redis.call('EXPIRE', m, 32 * 86400)
end
)lua";

constexpr const char *admit_body = R"lua(
local lease, ttl = ARGV[1], tonumber(ARGV[2])
local function gcra(tat, limit, window, q)
  local step = math.max(1, math.floor(window / limit))
  local base = math.max(tat, now)
  local wanted = base + q * step
  if wanted - now <= window then
    return true, wanted, math.floor((window - (wanted - now)) / step), wanted - now, 0
  end
  return false, tat, math.max(0, math.floor((window - (base - now)) / step)), base - now, wanted - window - now
end
local refusal, refused, retry = 0, 0, 0
local function refuse(why, i, after)
  if refusal ~= 0 then return end
  refusal, refused, retry = why, i - 1, math.max(after, 0)
end
local out, takes = {}, {}
for i, s in ipairs(KEYS) do
  local a = 2 + (i - 1) * 9
  local rl, rw, tl, tw = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
  local want, maxc = tonumber(ARGV[a + 5]), tonumber(ARGV[a + 6])
  local dbud, mbud, cost = tonumber(ARGV[a + 7]), tonumber(ARGV[a + 8]), tonumber(ARGV[a + 9])
  local spent_d, spent_m = num(s .. ':d:' .. day), num(s .. ':m:' .. month)
  if dbud > 0 and spent_d >= dbud then refuse(5, i, 0) end
  if mbud > 0 and spent_m >= mbud then refuse(6, i, 0) end
  if maxc > 0 then
    redis.call('ZREMRANGEBYSCORE', s .. ':c', '-inf', now)
    if redis.call('ZCARD', s .. ':c') >= maxc then refuse(4, i, 1000000) end
  end
  local take = {rtat = nil, ttat = nil}
  local r = {0, 0, 0, 0, 0, 0, spent_d, spent_m}
  if rl > 0 then
    local ok, tat, rem, reset, after = gcra(num(s .. ':r'), rl, rw, 1)
    r[1], r[2], r[3] = rl, rem, reset
    if ok then take.rtat = tat else refuse(1, i, after) end
  end
  if tl > 0 then
    local ok, tat, rem, reset, after = gcra(num(s .. ':t'), tl, tw, want)
    r[4], r[5], r[6] = tl, rem, reset
    if want > tl then refuse(3, i, 0) elseif ok then take.ttat = tat else refuse(2, i, after) end
  end
  take.maxc, take.budget, take.cost = maxc, dbud > 0 or mbud > 0, cost
  takes[i] = take
  out[i] = r
end
if refusal == 0 then
  for i, s in ipairs(KEYS) do
    local take = takes[i]
    if take.rtat then keep_tat(s .. ':r', take.rtat) end
    if take.ttat then keep_tat(s .. ':t', take.ttat) end
    if take.maxc > 0 then
      redis.call('ZADD', s .. ':c', now + ttl, lease)
      redis.call('PEXPIRE', s .. ':c', math.ceil(ttl / 1000) + 1000)
    end
    if take.budget and take.cost > 0 then
      spend(s, take.cost)
      out[i][7], out[i][8] = out[i][7] + take.cost, out[i][8] + take.cost
    end
  end
end
local reply = {refusal, refused, retry}
for i = 1, #KEYS do
  for j = 1, 8 do reply[#reply + 1] = out[i][j] end
end
return reply
)lua";

constexpr const char *settle_body = R"lua(
local lease = ARGV[1]
for i, s in ipairs(KEYS) do
  local a = 1 + (i - 1) * 6
  local tl, tw, delta = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local leased, budget, cost = ARGV[a + 4] == '1', ARGV[a + 5] == '1', tonumber(ARGV[a + 6])
  if tl > 0 and delta ~= 0 then
    local tat = num(s .. ':t')
    local moved = tat + delta * math.max(1, math.floor(tw / tl))
    if delta < 0 then moved = math.max(moved, math.min(tat, now)) end
    keep_tat(s .. ':t', moved)
  end
  if leased then redis.call('ZREM', s .. ':c', lease) end
  if budget and cost ~= 0 then spend(s, cost) end
end
return 1
)lua";

} // namespace

const redis::Script &admit_script() {
    static const redis::Script script(std::string(prelude) + admit_body);
    return script;
}

const redis::Script &settle_script() {
    static const redis::Script script(std::string(prelude) + settle_body);
    return script;
}

} // namespace helix::limits
