#include "daemon/http/chat_completions_handler.hpp"

#include "daemon/http/body_reader.hpp"
#include "daemon/http/chat_endpoint.hpp"
#include "daemon/http/poco_reply_writer.hpp"
#include "daemon/http/response_writer.hpp"
#include "daemon/router/attempt_loop.hpp"
#include "daemon/transport/inline_exchange.hpp"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>

namespace helix::http {

void ChatCompletionsHandler::handleRequest(Poco::Net::HTTPServerRequest &request,
                                           Poco::Net::HTTPServerResponse &response) {
    metrics::RequestObservation observed(metrics_, &context_.record);
    // Whatever path ends the request, the status the client got is counted.
    struct StatusOnExit {
        metrics::RequestObservation &observed;
        Poco::Net::HTTPServerResponse &response;
        ~StatusOnExit() { observed.set_status(static_cast<int>(response.getStatus())); }
    } status_on_exit{observed, response};
    const auto &config = *runtime_->config;
    const auto &server = config.server;
    // A client that stops reading is dropped after write_timeout (and with it
    // the upstream call), instead of holding a thread and a connection.
    if (auto *impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl *>(&request))
        impl->socket().setSendTimeout(
            Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(server.write_timeout.count()) * 1000));
    auto body = read_body(request, server.max_body_bytes);
    if (auto *error = std::get_if<api::ApiError>(&body)) {
        response.setKeepAlive(false);
        return send_error(response, *error);
    }
    auto planned = plan_chat(*runtime_, std::move(std::get<std::string>(body)), request.get("X-Helix-Priority", ""),
                             context_.client, context_.record);
    if (auto *error = std::get_if<api::ApiError>(&planned)) return send_error(response, *error);
    ChatPlan &plan = std::get<ChatPlan>(planned);

    ChatEndpoint endpoint(plan.chat, config, observed, config.log.access_content ? &context_.record : nullptr);
    PocoReplyWriter reply(response);
    transport::InlineExchange exchange(upstream_);
    // This thread is the connection's own: its private loop runs prepare()
    // and the exchange inline.
    boost::asio::io_context loop;
    int status = 0;
    std::exception_ptr failure;
    boost::asio::co_spawn(loop,
                          router::run_attempts({std::move(plan.candidates), endpoint, reply, exchange, breakers_,
                                                observed, config, loop.get_executor()}),
                          [&](std::exception_ptr e, int s) {
                              failure = e;
                              status = s;
                          });
    loop.run();
    if (failure) std::rethrow_exception(failure);
    if (status == 499) response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(499));
}

} // namespace helix::http
