#include "daemon/app/logging_setup.hpp"

#include <Poco/AsyncChannel.h>
#include <Poco/AutoPtr.h>
#include <iostream>
#include <Poco/ConsoleChannel.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/PatternFormatter.h>

#include <boost/json.hpp>

namespace helix::app {

namespace {

class JsonFormatter final : public Poco::Formatter {
public:
    void format(const Poco::Message &msg, std::string &text) override {
        boost::json::object line;
        line["time"] = Poco::DateTimeFormatter::format(msg.getTime(), Poco::DateTimeFormat::ISO8601_FRAC_FORMAT);
        line["level"] = priority_name(msg.getPriority());
        line["logger"] = msg.getSource();
        line["message"] = msg.getText();
        text = boost::json::serialize(line);
    }

private:
    static const char *priority_name(Poco::Message::Priority p) {
        switch (p) {
        case Poco::Message::PRIO_FATAL: return "fatal";
        case Poco::Message::PRIO_CRITICAL: return "critical";
        case Poco::Message::PRIO_ERROR: return "error";
        case Poco::Message::PRIO_WARNING: return "warning";
        case Poco::Message::PRIO_NOTICE: return "notice";
        case Poco::Message::PRIO_INFORMATION: return "information";
        case Poco::Message::PRIO_DEBUG: return "debug";
        case Poco::Message::PRIO_TRACE:
        default: return "trace";
        }
    }
};

} // namespace

void setup_logging(const config::LogSettings &settings) {
    Poco::AutoPtr<Poco::Formatter> formatter;
    if (settings.format == "json")
        formatter = new JsonFormatter;
    else
        formatter = new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%S.%iZ %q %s: %t");
    Poco::AutoPtr<Poco::Channel> console(new Poco::ConsoleChannel(std::cerr));
    Poco::AutoPtr<Poco::Channel> formatting(new Poco::FormattingChannel(formatter, console));
    // Written by a thread of its own: a stalled stderr (a full pipe, a
    // blocked journal) must never stop an event loop that logs. Closing the
    // channel (at exit) writes what is queued first.
    Poco::AutoPtr<Poco::Channel> channel(new Poco::AsyncChannel(formatting));
    Poco::Logger::root().setChannel(channel);
    Poco::Logger::setLevel("", Poco::Logger::parseLevel(settings.level));
}

void close_logging() {
    if (Poco::Channel::Ptr channel = Poco::Logger::root().getChannel()) channel->close();
}

} // namespace helix::app
