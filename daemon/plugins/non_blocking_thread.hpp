#pragma once
// Marks the current thread as one that must not block (an event loop running
// a plugin's prepare() inline) while a scope lives: the host's http_fetch
// then refuses at once with HELIX_ERR_WOULD_BLOCK, and a serialized plugin
// whose lock is held is not waited for.

namespace helix::plugins {

class NonBlockingScope {
public:
    NonBlockingScope() noexcept;
    ~NonBlockingScope();
    NonBlockingScope(const NonBlockingScope &) = delete;
    NonBlockingScope &operator=(const NonBlockingScope &) = delete;

private:
    bool outer_;
};

// Whether a NonBlockingScope is alive on this thread.
bool must_not_block() noexcept;

} // namespace helix::plugins
