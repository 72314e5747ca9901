#pragma once
// Several Azure OpenAI resources (regions) behind one provider: each call
// goes to one of them by smooth weighted round-robin (nginx's: over any run
// of calls each resource gets its share of weight, spread out rather than in
// bursts), skipping a resource that is cooling down. A resource that answers
// 429 or 5xx cools down for its Retry-After (retry-after-ms, else 10 s; at
// most 60 s), so its region's throttling moves traffic to the others; when
// every resource is cooling down, the one that cools down first is used.
// The provider's error then carries no Retry-After while another resource is
// available, so the host retries at once (it lands on another resource).
// Thread-safe.

#include <helixagent/plugin.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace helix::azure_openai {

inline constexpr std::int64_t kDefaultCooldownMs = 10'000;
inline constexpr std::int64_t kMaxCooldownMs = 60'000;

struct Resource {
    std::string endpoint; // base URL, no trailing '/'
    int weight = 1;       // 1..1000
    std::string api_key;  // its own key; empty: the provider's credential
    std::map<std::string, std::string> deployments; // its own names; empty: the provider's
};

class ResourcePool {
public:
    explicit ResourcePool(std::vector<Resource> resources);

    std::size_t size() const noexcept { return resources_.size(); }
    const Resource &at(std::size_t index) const { return resources_.at(index); }

    // The resource for the next call at now_ms.
    std::size_t pick(std::int64_t now_ms);
    // The resource answered 429 / 5xx: out of rotation for `cooldown_ms`.
    void cool_down(std::size_t index, std::int64_t now_ms, std::int64_t cooldown_ms);
    // Whether a resource other than `index` is not cooling down at now_ms.
    bool other_available(std::size_t index, std::int64_t now_ms) const;

private:
    std::vector<Resource> resources_;
    mutable std::mutex mutex_;
    std::vector<std::int64_t> current_;    // smooth weighted round-robin state
    std::vector<std::int64_t> cool_until_; // Unix ms
};

// A call to resource `index`: a 429 or 5xx answer cools that resource down
// (ResourcePool::cool_down), and its error loses its Retry-After when another
// resource can take the retry.
class ResourceGuardedCall final : public helix::sdk::Call {
public:
    ResourceGuardedCall(std::unique_ptr<helix::sdk::Call> inner, ResourcePool &pool, std::size_t index,
                        helix::sdk::Host host)
        : inner_(std::move(inner)), pool_(pool), index_(index), host_(host) {}

    void decode(const helix_http_response &response, helix::sdk::EventSink &sink) override;
    void finish(helix::sdk::EventSink &sink) override;

private:
    [[noreturn]] void failed(const helix::sdk::Error &e);

    std::unique_ptr<helix::sdk::Call> inner_;
    ResourcePool &pool_;
    std::size_t index_;
    helix::sdk::Host host_;
    int status_ = 0;
    bool cooled_ = false;
};

} // namespace helix::azure_openai
