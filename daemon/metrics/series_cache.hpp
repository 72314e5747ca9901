#pragma once
// The series of prometheus-cpp families found by the raw values a caller
// labels them with (before they are bounded to allowed names), so that
// counting a request does no Family::Add(): Add builds a label map, hashes
// it and looks it up under the family's lock on every call, which was
// several allocations per sample. A series, once added, lives as long as
// its registry (nothing is ever removed), so the cached pointers stay valid.
// What raw values map to changes only when more names are allowed: forget()
// then drops every entry, and an entry made from the old mapping while it
// ran is not kept. Thread-safe.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace helix::metrics {

// The lookup key of a series: its family's tag and raw values, each value
// after its length (so no two lists of values give one key), built on the
// stack for the usual sizes.
class SeriesKey {
public:
    SeriesKey(char family, std::initializer_list<std::string_view> values) {
        append({&family, 1});
        for (const std::string_view value : values) {
            const auto length = static_cast<std::uint32_t>(value.size());
            append({reinterpret_cast<const char *>(&length), sizeof length});
            append(value);
        }
    }
    SeriesKey(const SeriesKey &) = delete;
    SeriesKey &operator=(const SeriesKey &) = delete;

    std::string_view view() const { return spilled_ ? std::string_view(spill_) : std::string_view(inline_.data(), size_); }

private:
    void append(std::string_view part) {
        if (!spilled_ && size_ + part.size() <= inline_.size()) {
            part.copy(inline_.data() + size_, part.size());
            size_ += part.size();
            return;
        }
        if (!spilled_) spill_.assign(inline_.data(), size_);
        spilled_ = true;
        spill_.append(part);
    }

    std::array<char, 160> inline_;
    std::size_t size_ = 0;
    bool spilled_ = false;
    std::string spill_;
};

template <class Metric> class SeriesCache {
public:
    // Bounds the entries: raw values come from the configuration, but a
    // caller's mistake must not grow this without end (beyond it, every
    // call takes make()'s path).
    static constexpr std::size_t max_entries = 16384;

    // The series cached for `key`, else make()'s (which adds it to its family).
    template <class Make> Metric &find_or_add(const SeriesKey &key, Make &&make) {
        std::uint64_t generation = 0;
        {
            const std::shared_lock lock(mutex_);
            if (const auto it = series_.find(key.view()); it != series_.end()) return *it->second;
            generation = generation_;
        }
        Metric &metric = make();
        const std::unique_lock lock(mutex_);
        if (generation == generation_ && series_.size() < max_entries) series_.emplace(std::string(key.view()), &metric);
        return metric;
    }

    // What raw values map to may have changed: every entry goes.
    void forget() {
        const std::unique_lock lock(mutex_);
        series_.clear();
        ++generation_;
    }

    std::size_t size() const {
        const std::shared_lock lock(mutex_);
        return series_.size();
    }

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
    };

    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string, Metric *, Hash, std::equal_to<>> series_;
    std::uint64_t generation_ = 0;
};

} // namespace helix::metrics
