#include "plugins/common/sse_parser.hpp"

#include <algorithm>

namespace helix::plugin_common {

namespace {
constexpr std::string_view kBom = "\xEF\xBB\xBF";
}

void SseParser::check_size(std::size_t adding) const {
    const std::size_t held = partial_.size() + data_.size() + event_.size();
    if (adding > max_event_bytes_ || held > max_event_bytes_ - adding) {
        throw SseError("server-sent event larger than " + std::to_string(max_event_bytes_) + " bytes");
    }
}

void SseParser::feed(std::string_view bytes, const Handler &on_event) {
    if (failed_) throw SseError("the event stream already failed");
    try {
        while (!bytes.empty()) {
            if (skip_lf_) {
                skip_lf_ = false;
                if (bytes.front() == '\n') {
                    bytes.remove_prefix(1);
                    continue;
                }
            }
            const std::size_t end = bytes.find_first_of("\r\n");
            if (end == std::string_view::npos) {
                check_size(bytes.size());
                partial_.append(bytes);
                return;
            }
            const std::string_view piece = bytes.substr(0, end);
            skip_lf_ = bytes[end] == '\r';
            bytes.remove_prefix(end + 1);
            if (partial_.empty()) {
                check_size(piece.size());
                line(piece, on_event);
            } else {
                check_size(piece.size());
                partial_.append(piece);
                // Swapping keeps both buffers' capacity: no allocation per line.
                line_.swap(partial_);
                line(line_, on_event);
                line_.clear();
            }
        }
    } catch (const SseError &) {
        failed_ = true;
        throw;
    }
}

void SseParser::line(std::string_view text, const Handler &on_event) {
    if (first_line_) {
        first_line_ = false;
        if (text.substr(0, kBom.size()) == kBom) text.remove_prefix(kBom.size());
    }
    if (text.empty()) {
        dispatch(on_event);
        return;
    }
    if (text.front() == ':') return; // comment
    std::string_view field = text;
    std::string_view value;
    if (const std::size_t colon = text.find(':'); colon != std::string_view::npos) {
        field = text.substr(0, colon);
        value = text.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    }
    if (field == "data") {
        check_size(value.size() + 1);
        data_.append(value);
        data_.push_back('\n');
        has_data_ = true;
    } else if (field == "event") {
        check_size(value.size());
        event_.assign(value);
    } else if (field == "id") {
        if (value.find('\0') == std::string_view::npos) last_id_.assign(value);
    } else if (field == "retry") {
        if (!value.empty() && std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            std::uint64_t ms = 0;
            for (const char c : value) {
                const auto digit = static_cast<std::uint64_t>(c - '0');
                ms = ms > (UINT64_MAX - digit) / 10 ? UINT64_MAX : ms * 10 + digit;
            }
            retry_ms_ = ms;
        }
    }
    // Other fields are ignored.
}

void SseParser::dispatch(const Handler &on_event) {
    if (!has_data_) {
        event_.clear();
        return;
    }
    struct Reset {
        SseParser &p;
        ~Reset() {
            p.data_.clear();
            p.event_.clear();
            p.has_data_ = false;
        }
    } reset{*this};
    const std::string_view data(data_.data(), data_.size() - 1); // without the last '\n'
    on_event(SseEvent{event_, data, last_id_});
}

bool SseParser::finish() noexcept {
    const bool incomplete = !partial_.empty() || has_data_;
    partial_.clear();
    line_.clear();
    data_.clear();
    event_.clear();
    has_data_ = false;
    skip_lf_ = false;
    first_line_ = true;
    failed_ = false;
    return incomplete;
}

} // namespace helix::plugin_common
