#pragma once
// A core dump of the daemon would hold provider credentials, token caches and
// request contents. At start the daemon makes itself non-dumpable
// (PR_SET_DUMPABLE 0: no core, no ptrace attach by its own user, /proc files
// root-only) and sets its core size limit to 0, unless HELIXAGENT_DUMPABLE=1
// asks otherwise (debugging a crash on a test machine).

namespace helix::app {

// Returns false when HELIXAGENT_DUMPABLE=1 kept the process dumpable.
bool disable_core_dumps();

} // namespace helix::app
