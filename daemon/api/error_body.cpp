#include "daemon/api/error_body.hpp"

#include <boost/json.hpp>

namespace helix::api {

std::string error_body(const ApiError &error) {
    boost::json::object inner;
    inner["message"] = error.message;
    inner["type"] = error.type;
    inner["param"] = error.param.empty() ? boost::json::value(nullptr) : boost::json::value(error.param);
    inner["code"] = error.code.empty() ? boost::json::value(nullptr) : boost::json::value(error.code);
    boost::json::object outer;
    outer["error"] = std::move(inner);
    return boost::json::serialize(outer);
}

} // namespace helix::api
