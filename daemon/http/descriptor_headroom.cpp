#include "daemon/http/descriptor_headroom.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

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

bool DescriptorHeadroom::tight(std::int64_t open_connections, long lowest_free) const {
    const long limit = descriptor_limit();
    const long reserve = static_cast<long>(reserve_);
    const long needed = base_ + static_cast<long>(per_connection_) * (static_cast<long>(open_connections) + 1) + reserve;
    if (needed > limit) return true;
    return lowest_free + static_cast<long>(per_connection_) + reserve > limit;
}

} // namespace helix::http
