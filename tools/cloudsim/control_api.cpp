#include "tools/cloudsim/control_api.hpp"

#include "tools/cloudsim/exchange.hpp"
#include "tools/cloudsim/provider_api.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace helix::cloudsim {

namespace {

constexpr std::size_t kMaxControlBody = 64 * 1024;

void reply(Exchange &exchange, int status, const boost::json::value &body) {
    exchange.send(status, "application/json", boost::json::serialize(body));
}

void reply_error(Exchange &exchange, int status, std::string_view message) {
    boost::json::object body;
    body["error"] = message;
    reply(exchange, status, body);
}

void set_faults(Exchange &exchange, ProviderContext &context, const ProviderApi &api) {
    std::string body;
    if (!exchange.read_body(body, kMaxControlBody)) return reply_error(exchange, 413, "body too large");
    boost::system::error_code ec;
    const boost::json::value doc = boost::json::parse(body, ec);
    const auto *obj = doc.if_object();
    if (ec || !obj) return reply_error(exchange, 400, R"(expected a JSON object like {"kind":"503","count":3})");
    const auto *kind_value = obj->if_contains("kind");
    if (!kind_value || !kind_value->is_string()) return reply_error(exchange, 400, "\"kind\" must be a string");
    const std::string text(kind_value->get_string());
    const auto kind = parse_fault_kind(text);
    if (!kind && !api.board_fault(text)) return reply_error(exchange, 400, "unknown fault kind '" + text + "'");
    std::int64_t count = 1;
    if (const auto *c = obj->if_contains("count")) {
        if (!c->is_int64() || c->get_int64() < -1) return reply_error(exchange, 400, "\"count\" must be an integer >= -1");
        count = c->get_int64();
    }
    if (kind)
        context.faults().set(*kind, count);
    else
        context.faults().set_own(text, count);
    reply(exchange, 200, context.faults().describe());
}

} // namespace

void handle_control(Exchange &exchange, ProviderContext &context, const ProviderApi &api) {
    const std::string_view path = exchange.path();
    const std::string &method = exchange.method();
    if (path == "/__sim/faults") {
        if (method == "POST") return set_faults(exchange, context, api);
        if (method == "GET") return reply(exchange, 200, context.faults().describe());
        if (method == "DELETE") {
            context.faults().clear();
            return reply(exchange, 200, context.faults().describe());
        }
        return reply_error(exchange, 405, "use GET, POST or DELETE");
    }
    if (path == "/__sim/stats") {
        if (method == "GET" || method == "DELETE") {
            if (method == "DELETE") context.stats().reset();
            boost::json::object body = context.stats().snapshot();
            body["provider"] = context.provider();
            return reply(exchange, 200, body);
        }
        return reply_error(exchange, 405, "use GET or DELETE");
    }
    reply_error(exchange, 404, "unknown control path " + std::string(path));
}

} // namespace helix::cloudsim
