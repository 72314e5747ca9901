#include "daemon/http/memory_trim.hpp"

#include <malloc.h>

namespace helix::http {

void release_free_memory() noexcept { ::malloc_trim(0); }

} // namespace helix::http
