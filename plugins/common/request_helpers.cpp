#include "plugins/common/request_helpers.hpp"

#include "plugins/common/response_decoder.hpp"

namespace helix::plugin_common {

boost::json::value parse_client_json(std::string_view text, const std::string &param, std::string_view what) {
    boost::system::error_code ec;
    boost::json::parse_options options;
    options.max_depth = kMaxJsonDepth;
    boost::json::value v = boost::json::parse(text, ec, {}, options);
    if (ec) invalid(param + " is not valid JSON (" + std::string(what) + ")", param);
    return v;
}

} // namespace helix::plugin_common
