#pragma once
// Before prepare() for a model that takes images and documents inline only
// (HELIX_MODEL_INLINE_MEDIA: Bedrock, Vertex AI), the host fetches the
// request's http(s) URL parts (transport/media_fetch.hpp) and puts their
// bytes in the request (ChatRequest::inline_part), so that no plugin ever
// does I/O. Provider file URIs (gs://, s3://, the Gemini File API, YouTube)
// are left to the provider. A part fetched once stays inline for every later
// candidate.

#include "daemon/api/chat_request.hpp"
#include "daemon/api/error_body.hpp"
#include "daemon/config/config.hpp"
#include "daemon/router/candidates.hpp"
#include "daemon/transport/async_exchange.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>

namespace helix::http {

// nullopt when the request is ready for `candidate`; else the 400 the client
// gets, naming the part ("messages[1].content[2]") and why it was not fetched.
boost::asio::awaitable<std::optional<api::ApiError>>
inline_media(api::ChatRequest &chat, const router::Candidate &candidate, transport::AsyncExchange &exchange,
             const config::MediaFetchSettings &settings, std::chrono::steady_clock::time_point deadline);

} // namespace helix::http
