#include "tools/plugin_testkit/reply_feeder.hpp"

#include <string>

namespace helix::plugin_testkit {

FedReply feed_reply(int status, std::span<const helix_header> headers, std::string_view body, Chunking how,
                    unsigned seed, const DecodeStep &decode, const FinishStep &finish) {
    FedReply out;
    out.error.struct_size = sizeof out.error;
    helix_http_response r{};
    r.struct_size = sizeof r;
    r.status = status;
    r.headers = headers.empty() ? nullptr : headers.data();
    r.header_count = headers.size();
    out.status = decode(r, out.error);
    for (std::string_view piece : split(body, how, seed)) {
        if (out.status != HELIX_OK) break;
        const std::string copy(piece);
        r.data = reinterpret_cast<const std::uint8_t *>(copy.data());
        r.len = copy.size();
        out.status = decode(r, out.error);
    }
    if (out.status == HELIX_OK) {
        out.status = finish(out.error);
        out.failed_in_finish = out.status != HELIX_OK;
    }
    return out;
}

} // namespace helix::plugin_testkit
