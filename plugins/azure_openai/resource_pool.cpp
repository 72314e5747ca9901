#include "plugins/azure_openai/resource_pool.hpp"

#include <algorithm>

namespace helix::azure_openai {

ResourcePool::ResourcePool(std::vector<Resource> resources)
    : resources_(std::move(resources)), current_(resources_.size(), 0), cool_until_(resources_.size(), 0) {}

std::size_t ResourcePool::pick(std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    std::int64_t total = 0;
    std::size_t best = resources_.size();
    for (std::size_t i = 0; i < resources_.size(); ++i) {
        if (cool_until_[i] > now_ms) continue;
        current_[i] += resources_[i].weight;
        total += resources_[i].weight;
        if (best == resources_.size() || current_[i] > current_[best]) best = i;
    }
    if (best == resources_.size()) // every one is cooling down: the first back
        return static_cast<std::size_t>(std::min_element(cool_until_.begin(), cool_until_.end()) - cool_until_.begin());
    current_[best] -= total;
    return best;
}

void ResourcePool::cool_down(std::size_t index, std::int64_t now_ms, std::int64_t cooldown_ms) {
    std::lock_guard lock(mutex_);
    cool_until_.at(index) = std::max(cool_until_.at(index), now_ms + std::clamp<std::int64_t>(cooldown_ms, 1, kMaxCooldownMs));
    current_.at(index) = 0; // back in rotation without a backlog of turns
}

bool ResourcePool::other_available(std::size_t index, std::int64_t now_ms) const {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < resources_.size(); ++i)
        if (i != index && cool_until_[i] <= now_ms) return true;
    return false;
}

void ResourceGuardedCall::decode(const helix_http_response &response, helix::sdk::EventSink &sink) {
    if (status_ == 0) status_ = response.status;
    try {
        inner_->decode(response, sink);
    } catch (const helix::sdk::Error &e) {
        failed(e);
    }
}

void ResourceGuardedCall::finish(helix::sdk::EventSink &sink) {
    try {
        inner_->finish(sink);
    } catch (const helix::sdk::Error &e) {
        failed(e);
    }
}

void ResourceGuardedCall::failed(const helix::sdk::Error &e) {
    const bool overloaded = status_ == 429 || status_ >= 500;
    if (!overloaded || pool_.size() < 2) throw e;
    const std::int64_t now = host_.now_unix_ms();
    if (!cooled_) {
        pool_.cool_down(index_, now, e.retry_after_ms() > 0 ? e.retry_after_ms() : kDefaultCooldownMs);
        cooled_ = true;
    }
    if (!pool_.other_available(index_, now)) throw e;
    // Another region can answer now: no reason for the host to wait.
    throw helix::sdk::Error(e.status(), e.what(), e.http_status(), 0, e.code(), e.param());
}

} // namespace helix::azure_openai
