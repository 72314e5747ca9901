#include "daemon/app/core_dumps.hpp"

#include <cstdlib>
#include <cstring>
#include <sys/prctl.h>
#include <sys/resource.h>

namespace helix::app {

bool disable_core_dumps() {
    if (const char *keep = std::getenv("HELIXAGENT_DUMPABLE"); keep != nullptr && std::strcmp(keep, "1") == 0)
        return false;
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    const rlimit none{0, 0};
    ::setrlimit(RLIMIT_CORE, &none);
    return true;
}

} // namespace helix::app
