#pragma once
// A helix_event_sink that checks each event a plugin emits and keeps a
// summary that does not depend on how the reply was split: text and tool
// arguments merged per choice and call, the rest in order.

#include <helixagent/plugin_abi.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace helix::plugin_check {

class EventRecorder {
public:
    EventRecorder();
    EventRecorder(const EventRecorder &) = delete;
    EventRecorder &operator=(const EventRecorder &) = delete;

    const helix_event_sink &sink() const noexcept { return sink_; }

    std::string summary() const;
    const std::vector<std::string> &problems() const noexcept { return problems_; }
    bool has_content() const noexcept { return !texts_.empty() || !tools_.empty(); }
    bool has_finish() const noexcept { return finishes_ > 0; }
    // Every byte of text the plugin produced (for the secret scan).
    const std::string &all_text() const noexcept { return all_text_; }

private:
    void on_event(const helix_event &event);
    void check_str(helix_str s, const char *field);

    helix_event_sink sink_{};
    std::map<std::uint32_t, std::string> texts_;                          // choice -> text
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::string> tools_; // (choice, index) -> id, name, args
    std::vector<std::string> others_; // start, finish, usage, extra, in order
    int finishes_ = 0;
    std::vector<std::string> problems_;
    std::string all_text_;
};

} // namespace helix::plugin_check
