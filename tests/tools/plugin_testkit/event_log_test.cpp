#include "tools/plugin_testkit/event_log.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using helix::plugin_testkit::EventLog;

namespace {

helix_str s(const char *text) { return helix_str{text, std::char_traits<char>::length(text)}; }

helix_event event(helix_event_type type) {
    helix_event e{};
    e.struct_size = sizeof e;
    e.type = type;
    return e;
}

int emit(EventLog &log, const helix_event *e) { return log.sink().emit(log.sink().ctx, e); }

helix_event text(const char *t) {
    helix_event e = event(HELIX_EVENT_TEXT_DELTA);
    e.text = s(t);
    return e;
}

} // namespace

BOOST_AUTO_TEST_CASE(each_event_becomes_one_line) {
    EventLog log;
    helix_event start = event(HELIX_EVENT_START);
    start.response_id = s("r1");
    start.model = s("m");
    helix_event finish = event(HELIX_EVENT_FINISH);
    finish.finish_reason = HELIX_FINISH_TOOL_CALLS;
    helix_event usage = event(HELIX_EVENT_USAGE);
    usage.prompt_tokens = 19;
    usage.completion_tokens = 10;
    usage.cached_tokens = 3;
    helix_event hello = text("Hello");
    for (const helix_event *e : {&start, &hello, &finish, &usage}) BOOST_TEST(emit(log, e) == 0);
    BOOST_TEST(helix::plugin_testkit::join(log.lines()) ==
               "START id=r1 model=m\nTEXT c=0 Hello\nFINISH c=0 tool_calls\nUSAGE 19/10/3\n");
    BOOST_TEST(log.has_content());
    BOOST_TEST(log.has_finish());
    BOOST_TEST(log.problems().empty());
}

BOOST_AUTO_TEST_CASE(the_summary_does_not_depend_on_how_deltas_were_split) {
    EventLog once, twice;
    const helix_event whole = text("Hello"), hel = text("Hel"), lo = text("lo");
    emit(once, &whole);
    emit(twice, &hel);
    emit(twice, &lo);
    BOOST_TEST(once.lines() != twice.lines());
    BOOST_TEST(once.summary() == twice.summary());
    BOOST_TEST(once.all_text() == "Hello");
}

BOOST_AUTO_TEST_CASE(events_no_host_could_use_are_problems) {
    EventLog log;
    emit(log, nullptr);
    helix_event dangling = event(HELIX_EVENT_TEXT_DELTA);
    dangling.text = helix_str{nullptr, 4};
    emit(log, &dangling);
    helix_event unknown = event(HELIX_EVENT_UNSET);
    emit(log, &unknown);
    helix_event negative = event(HELIX_EVENT_USAGE);
    negative.prompt_tokens = -1;
    emit(log, &negative);
    helix_event tiny = event(HELIX_EVENT_TEXT_DELTA);
    tiny.struct_size = 8;
    emit(log, &tiny);
    BOOST_TEST_REQUIRE(log.problems().size() == 5u);
    BOOST_TEST(log.problems()[0] == "emitted a NULL event");
    BOOST_TEST(log.problems()[1] == "event field text has a length but no data");
    BOOST_TEST(log.problems()[2] == "unknown event type 0");
    BOOST_TEST(log.problems()[3] == "negative token counts in a USAGE event");
    BOOST_TEST(log.problems()[4].starts_with("event struct_size 8 is below"));
}

BOOST_AUTO_TEST_CASE(it_asks_the_plugin_to_stop_when_told_to) {
    EventLog log;
    log.stop_after = 2;
    const helix_event a = text("a");
    BOOST_TEST(emit(log, &a) == 0);
    BOOST_TEST(emit(log, &a) == 1);
}
