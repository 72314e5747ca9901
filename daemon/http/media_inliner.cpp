#include "daemon/http/media_inliner.hpp"

#include "daemon/api/errors.hpp"
#include "daemon/api/media_source.hpp"
#include "daemon/transport/media_fetch.hpp"

#include <string>
#include <string_view>
#include <variant>

namespace helix::http {

namespace {

std::string_view view(helix_str s) { return s.len == 0 ? std::string_view() : std::string_view(s.data, s.len); }

// An http(s) URL this part leaves to the host, or "".
std::string_view url_to_fetch(const helix_content_part &p) {
    if (p.type == HELIX_PART_IMAGE_URL) {
        const std::string_view url = view(p.image_url);
        return api::is_http_url(url) && !api::is_provider_file_uri(url) ? url : std::string_view();
    }
    if (p.type == HELIX_PART_DOCUMENT && p.source == HELIX_SOURCE_URL) return view(p.uri);
    return {};
}

api::ApiError refused(const std::string &param, std::string_view what, const std::string &provider, const std::string &reason,
                      std::string code) {
    return api::invalid_request("The " + std::string(what) + " at " + param + " could not be fetched for " + provider +
                                    ", which takes it as bytes only: " + reason +
                                    ". Send it inline (a base64 data: URL) instead.",
                                param, std::move(code));
}

} // namespace

boost::asio::awaitable<std::optional<api::ApiError>>
inline_media(api::ChatRequest &chat, const router::Candidate &candidate, transport::AsyncExchange &exchange,
             const config::MediaFetchSettings &settings, std::chrono::steady_clock::time_point deadline) {
    if ((candidate.model->capabilities & HELIX_MODEL_INLINE_MEDIA) == 0) co_return std::nullopt;
    const std::string provider = candidate.provider->name();
    std::size_t fetched = 0;
    const helix_chat_request &view = chat.view();
    for (std::size_t i = 0; i < view.message_count; ++i) {
        for (std::size_t j = 0; j < view.messages[i]->part_count; ++j) {
            const helix_content_part &p = *chat.view().messages[i]->parts[j];
            const std::string_view url = url_to_fetch(p);
            if (url.empty()) continue;
            const bool image = p.type == HELIX_PART_IMAGE_URL;
            const std::string param = "messages[" + std::to_string(i) + "].content[" + std::to_string(j) + "]";
            const std::string_view what = image ? "image" : "document";
            if (!settings.enabled)
                co_return refused(param, what, provider, "this gateway does not fetch URLs (media_fetch.enabled is false)",
                                  "unsupported_value");
            if (++fetched > settings.max_urls)
                co_return refused(param, what, provider,
                                  "the request has more URLs than this gateway fetches for one request (media_fetch.max_urls, " +
                                      std::to_string(settings.max_urls) + ")",
                                  "invalid_value");
            transport::MediaFetchResult result =
                co_await transport::fetch_media(exchange, std::string(url),
                                                image ? transport::MediaKind::image : transport::MediaKind::document,
                                                settings, deadline);
            if (auto *reason = std::get_if<std::string>(&result))
                co_return refused(param, what, provider, *reason, "invalid_value");
            auto &media = std::get<transport::FetchedMedia>(result);
            chat.inline_part(i, j, std::move(media.media_type), std::move(media.bytes));
        }
    }
    co_return std::nullopt;
}

} // namespace helix::http
