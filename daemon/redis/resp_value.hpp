#pragma once
// One RESP reply as the client hands it on: hiredis's redisReply, copied
// out of hiredis's memory (which is freed as soon as it is read).

#include <cstdint>
#include <string>
#include <vector>

namespace helix::redis {

struct RespValue {
    enum class Type : std::uint8_t { nil, status, error, integer, string, array };
    Type type = Type::nil;
    std::int64_t integer = 0;
    std::string text; // status, error and string
    std::vector<RespValue> elements;

    bool is_error() const noexcept { return type == Type::error; }
};

// The outcome of one call: a reply, or why there is none (connection,
// timeout, circuit open). A Redis error reply is a reply.
struct RespResult {
    bool ok = false;
    RespValue value;
    std::string failure;
};

} // namespace helix::redis
