#include "daemon/api/sse_frame.hpp"

namespace helix::api {

void append_sse_event(std::string &out, std::string_view event, std::string_view data) {
    out.reserve(out.size() + event.size() + data.size() + 16);
    if (!event.empty()) {
        out.append("event: ").append(event).append("\n");
    }
    std::size_t i = 0;
    for (;;) {
        const std::size_t eol = data.find_first_of("\r\n", i);
        out.append("data: ").append(data.substr(i, eol == std::string_view::npos ? std::string_view::npos : eol - i)).append("\n");
        if (eol == std::string_view::npos) break;
        i = eol + 1;
        if (data[eol] == '\r' && i < data.size() && data[i] == '\n') ++i;
    }
    out.append("\n");
}

std::string sse_event(std::string_view event, std::string_view data) {
    std::string out;
    append_sse_event(out, event, data);
    return out;
}

} // namespace helix::cloudsim
