#pragma once
// The sink the host hands a plugin's decode() and finish(): it forwards each
// event to the real sink as a host-sized struct (fields an older plugin did
// not write read as zero) and refuses an event whose type is unset (0, a
// zeroed struct) or unknown, which then fails the call with a protocol error.

#include <helixagent/plugin_abi.h>

#include <string>

namespace helix::plugins {

struct PluginFailure;

class CheckedEventSink {
public:
    explicit CheckedEventSink(const helix_event_sink &target) noexcept;
    CheckedEventSink(const CheckedEventSink &) = delete;
    CheckedEventSink &operator=(const CheckedEventSink &) = delete;

    const helix_event_sink *table() const noexcept { return &table_; }
    // After the plugin returned: a refused event turns a success into
    // HELIX_ERR_PROTOCOL naming the event.
    void apply(PluginFailure &failure) const;

private:
    static int emit(void *ctx, const helix_event *event);

    helix_event_sink table_{};
    const helix_event_sink &target_;
    std::string refusal_;
};

} // namespace helix::plugins
