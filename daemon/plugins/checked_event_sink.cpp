#include "daemon/plugins/checked_event_sink.hpp"

#include "daemon/plugins/provider_instance.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace helix::plugins {

CheckedEventSink::CheckedEventSink(const helix_event_sink &target) noexcept : target_(target) {
    table_.struct_size = sizeof table_;
    table_.ctx = this;
    table_.emit = &CheckedEventSink::emit;
}

int CheckedEventSink::emit(void *ctx, const helix_event *event) {
    auto *self = static_cast<CheckedEventSink *>(ctx);
    if (!self->refusal_.empty()) return 1;
    constexpr std::size_t kTypeEnd = offsetof(helix_event, type) + sizeof(std::uint32_t);
    if (event == nullptr || event->struct_size < kTypeEnd) {
        self->refusal_ = "plugin emitted an event that is NULL or too small to hold its type";
        return 1;
    }
    if (event->type == HELIX_EVENT_UNSET || event->type > HELIX_EVENT_MESSAGES) {
        self->refusal_ = "plugin emitted an event of type " + std::to_string(event->type) +
                         (event->type == HELIX_EVENT_UNSET ? " (unset: a zeroed event)" : " (unknown to this host)");
        return 1;
    }
    helix_event copy{};
    std::memcpy(&copy, event, std::min<std::size_t>(event->struct_size, sizeof copy));
    copy.struct_size = sizeof copy;
    return self->target_.emit(self->target_.ctx, &copy);
}

void CheckedEventSink::apply(PluginFailure &failure) const {
    if (refusal_.empty() || failure.status != HELIX_OK) return;
    failure.status = HELIX_ERR_PROTOCOL;
    std::snprintf(failure.error.message, sizeof failure.error.message, "%s", refusal_.c_str());
}

} // namespace helix::plugins
