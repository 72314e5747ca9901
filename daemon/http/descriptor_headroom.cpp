#include "daemon/http/descriptor_headroom.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

namespace helix::http {

DescriptorHeadroom::DescriptorHeadroom(std::size_t per_connection, std::size_t reserve)
    : per_connection_(per_connection), reserve_(reserve), base_(lowest_free_descriptor()) {}

long DescriptorHeadroom::lowest_free_descriptor() {
    // F_DUPFD returns the lowest free number at or above its argument.
    const int probe = ::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0);
    if (probe < 0) return descriptor_limit(); // none free (or stderr closed: then assume none)
    ::close(probe);
    return probe;
}

long DescriptorHeadroom::descriptor_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 1L << 30;
    return static_cast<long>(limit.rlim_cur);
}

bool DescriptorHeadroom::tight(std::int64_t open_connections, long lowest_free, std::int64_t on_shared_upstream) const {
    const long limit = descriptor_limit();
    const long reserve = static_cast<long>(reserve_);
    // A connection whose call streams over an HTTP/2 upstream connection
    // needs one descriptor less; the shared connections themselves show in
    // lowest_free (a hundred streams or so share each).
    const long shared = std::clamp<long>(static_cast<long>(on_shared_upstream), 0, static_cast<long>(open_connections));
    const long needed =
        base_ + static_cast<long>(per_connection_) * (static_cast<long>(open_connections) + 1) - shared + reserve;
    if (needed > limit) return true;
    return lowest_free + static_cast<long>(per_connection_) + reserve > limit;
}

} // namespace helix::http
