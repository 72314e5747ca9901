#pragma once
// A helix_event_sink that keeps what a plugin emitted in two forms and
// checks each event on the way:
// - lines(): one line of text per event ("TEXT c=0 Hello", "FINISH c=0
//   stop", ...), so a whole run compares as one string;
// - summary(): the same facts independent of how the plugin split its
//   deltas (text, reasoning and tool arguments joined per choice and index),
//   for comparing runs of one reply cut into different pieces.
// problems() lists events no host could use (NULL event, a length without
// data, an unknown type or finish reason, negative token counts).

#include <helixagent/plugin_abi.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace helix::plugin_testkit {

// One event as a line: "START id=.. model=..", "TEXT c=0 Hello",
// "TOOL c=0 i=1 id=call_2 name=f args={..}", "FINISH c=0 stop",
// "USAGE 19/10/3", "EXTRA c=0 json={..}".
std::string describe(const helix_event &event);
const char *finish_name(std::uint32_t reason);

class EventLog {
public:
    EventLog();
    EventLog(const EventLog &) = delete;
    EventLog &operator=(const EventLog &) = delete;

    // Ask the plugin to stop after this many events (-1: never), as a host
    // does when its client goes away.
    int stop_after = -1;

    const helix_event_sink &sink() const noexcept { return sink_; }
    const std::vector<std::string> &lines() const noexcept { return lines_; }
    std::string summary() const;
    const std::vector<std::string> &problems() const noexcept { return problems_; }
    bool has_content() const noexcept { return !texts_.empty() || !tools_.empty(); }
    bool has_finish() const noexcept { return finishes_ > 0; }
    // Every byte of text the plugin produced (for a secret scan).
    const std::string &all_text() const noexcept { return all_text_; }

private:
    int on_event(const helix_event *event);
    bool well_formed(const helix_event &event);

    helix_event_sink sink_{};
    std::vector<std::string> lines_;
    using Key = std::pair<std::uint32_t, std::uint32_t>;
    std::map<std::uint32_t, std::string> texts_; // choice -> text
    std::map<Key, std::string> reasoning_;       // (choice, index) -> text, signature, data
    std::map<Key, std::string> tools_;           // (choice, index) -> id, name, arguments
    std::vector<std::string> others_;            // start, finish, usage, extra, ... in order
    int finishes_ = 0;
    std::vector<std::string> problems_;
    std::string all_text_;
};

// Lines joined, each ended by '\n'.
std::string join(const std::vector<std::string> &lines);

} // namespace helix::plugin_testkit
