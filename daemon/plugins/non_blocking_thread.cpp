#include "daemon/plugins/non_blocking_thread.hpp"

namespace helix::plugins {

namespace {
thread_local bool non_blocking = false;
} // namespace

NonBlockingScope::NonBlockingScope() noexcept : outer_(non_blocking) { non_blocking = true; }
NonBlockingScope::~NonBlockingScope() { non_blocking = outer_; }

bool must_not_block() noexcept { return non_blocking; }

} // namespace helix::plugins
