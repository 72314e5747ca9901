#include "daemon/api/json_fields.hpp"

#include "daemon/api/errors.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parser.hpp>

#include <charconv>
#include <cmath>

namespace helix::api::fields {

json::value parse_body(std::string_view body) {
    json::parse_options options;
    options.max_depth = kMaxJsonDepth;
    // One arena per request: the document is freed at once, with the request.
    json::parser parser(json::storage_ptr(), options);
    parser.reset(json::make_shared_resource<json::monotonic_resource>());
    json::error_code ec;
    const std::size_t used = parser.write(body.data(), body.size(), ec);
    if (ec) {
        std::string message = "We could not parse the JSON body of your request. (HINT: This likely means you "
                              "aren't using your HTTP library correctly. The API expects a JSON payload, but "
                              "what was sent was not valid JSON: ";
        if (ec == json::error::too_deep) {
            message += "it nests arrays and objects more than " + std::to_string(kMaxJsonDepth) + " levels deep";
        } else if (body.empty()) {
            message += "the body is empty";
        } else {
            message += ec.message() + " near byte " + std::to_string(used);
        }
        message += ".)";
        throw Invalid{invalid_request(std::move(message))};
    }
    json::value doc = parser.release();
    if (!doc.is_object())
        throw Invalid{invalid_request(std::string("The request body must be a JSON object, but it is ") +
                                          kind_name(doc) + ".",
                                      "", "invalid_type")};
    return doc;
}

[[noreturn]] void fail(const Path &path, std::string message, std::string code) {
    throw Invalid{invalid_request(std::move(message), path.str(), std::move(code))};
}

[[noreturn]] void fail_missing(const Path &path) {
    const std::string p = path.str();
    throw Invalid{invalid_request("Missing required parameter: '" + p + "'.", p, "missing_required_parameter")};
}

const char *kind_name(const json::value &v) noexcept {
    switch (v.kind()) {
    case json::kind::null:
        return "null";
    case json::kind::bool_:
        return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
        return "an integer";
    case json::kind::double_:
        return "a decimal number";
    case json::kind::string:
        return "a string";
    case json::kind::array:
        return "an array";
    case json::kind::object:
        return "an object";
    }
    return "an unknown value";
}

[[noreturn]] void fail_type(const Path &path, std::string_view expected, const json::value &got) {
    const std::string p = path.str();
    fail(path,
         "Invalid type for '" + p + "': expected " + std::string(expected) + ", but got " + kind_name(got) +
             " instead.",
         "invalid_type");
}

// A value quoted in a message: at most 64 characters, cut at a character boundary.
std::string quoted(std::string_view value) {
    constexpr std::size_t kMax = 64;
    std::string text = "'";
    if (value.size() <= kMax) {
        text += value;
    } else {
        std::size_t cut = kMax;
        while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0U) == 0x80U) --cut;
        text += value.substr(0, cut);
        text += "...";
    }
    text += '\'';
    return text;
}

std::string number_text(double d) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, d);
    return r.ec == std::errc() ? std::string(buf, r.ptr) : std::string("?");
}

std::string number_text(const json::value &v) {
    if (const auto *i = v.if_int64()) return std::to_string(*i);
    if (const auto *u = v.if_uint64()) return std::to_string(*u);
    if (const auto *d = v.if_double()) return number_text(*d);
    return "?";
}

// Member `key` of `object`, or nullptr when it is absent or null (optional
// members given as null count as not given, as at OpenAI).
const json::value *optional(const json::object &object, std::string_view key) noexcept {
    const json::value *v = object.if_contains(key);
    if (v == nullptr || v->is_null()) return nullptr;
    return v;
}

const json::value &required(const json::object &object, std::string_view key, const Path &path) {
    const json::value *v = optional(object, key);
    if (v == nullptr) fail_missing(path);
    return *v;
}

const json::string &as_string(const json::value &v, const Path &path) {
    if (const auto *s = v.if_string()) return *s;
    fail_type(path, "a string", v);
}

const json::object &as_object(const json::value &v, const Path &path) {
    if (const auto *o = v.if_object()) return *o;
    fail_type(path, "an object", v);
}

const json::array &as_array(const json::value &v, const Path &path) {
    if (const auto *a = v.if_array()) return *a;
    fail_type(path, "an array", v);
}

bool as_bool(const json::value &v, const Path &path) {
    if (const auto *b = v.if_bool()) return *b;
    fail_type(path, "a boolean", v);
}

const json::array &non_empty_array(const json::value &v, const Path &path, std::string_view what) {
    const json::array &a = as_array(v, path);
    if (a.empty()) {
        fail(path,
             "Invalid '" + path.str() + "': empty array. Expected an array with minimum length 1 (" +
                 std::string(what) + "), but got an empty array instead.",
             "empty_array");
    }
    return a;
}

const json::string &non_empty_string(const json::value &v, const Path &path) {
    const json::string &s = as_string(v, path);
    if (s.empty()) {
        fail(path,
             "Invalid '" + path.str() + "': empty string. Expected a string with minimum length 1, but got an "
                                        "empty string instead.",
             "empty_string");
    }
    return s;
}

double as_number_in(const json::value &v, const Path &path, double min, double max) {
    double d = 0;
    if (const auto *i = v.if_int64()) {
        d = static_cast<double>(*i);
    } else if (const auto *u = v.if_uint64()) {
        d = static_cast<double>(*u);
    } else if (const auto *x = v.if_double()) {
        d = *x;
    } else {
        fail_type(path, "a number", v);
    }
    if (!std::isfinite(d)) fail(path, "Invalid '" + path.str() + "': expected a finite number.", "invalid_value");
    if (d < min) {
        fail(path,
             "Invalid '" + path.str() + "': decimal below minimum value. Expected a value >= " + number_text(min) +
                 ", but got " + number_text(v) + " instead.",
             "decimal_below_min_value");
    }
    if (d > max) {
        fail(path,
             "Invalid '" + path.str() + "': decimal above maximum value. Expected a value <= " + number_text(max) +
                 ", but got " + number_text(v) + " instead.",
             "decimal_above_max_value");
    }
    return d;
}

std::int64_t as_integer_in(const json::value &v, const Path &path, std::int64_t min, std::int64_t max) {
    const auto below = [&] {
        fail(path,
             "Invalid '" + path.str() + "': integer below minimum value. Expected a value >= " + std::to_string(min) +
                 ", but got " + number_text(v) + " instead.",
             "integer_below_min_value");
    };
    const auto above = [&] {
        fail(path,
             "Invalid '" + path.str() + "': integer above maximum value. Expected a value <= " + std::to_string(max) +
                 ", but got " + number_text(v) + " instead.",
             "integer_above_max_value");
    };
    std::int64_t i = 0;
    if (const auto *s = v.if_int64()) {
        i = *s;
    } else if (const auto *u = v.if_uint64()) {
        if (*u > static_cast<std::uint64_t>(max)) above();
        i = static_cast<std::int64_t>(*u);
    } else if (const auto *d = v.if_double()) {
        // 5.0 is an integer written as a decimal: accepted. 5.5 is not.
        if (!std::isfinite(*d) || std::trunc(*d) != *d) fail_type(path, "an integer", v);
        if (*d < static_cast<double>(min)) below();
        if (*d > static_cast<double>(max)) above();
        // Values beyond +-2^63 were rejected above (min/max are int64, and
        // 2^63 as a double is above every int64 max we use).
        if (*d >= 9.2233720368547758e18 || *d < -9.2233720368547758e18) above();
        i = static_cast<std::int64_t>(*d);
    } else {
        fail_type(path, "an integer", v);
    }
    if (i < min) below();
    if (i > max) above();
    return i;
}

// "'a', 'b', and 'c'"
std::string choices_text(std::initializer_list<std::string_view> values) {
    std::string text;
    std::size_t k = 0;
    for (const std::string_view value : values) {
        if (k > 0) text += values.size() > 2 ? ", " : " ";
        if (k + 1 == values.size() && k > 0) text += "and ";
        text += '\'';
        text += value;
        text += '\'';
        ++k;
    }
    return text;
}

[[noreturn]] void fail_value(const Path &path, std::string_view got, std::initializer_list<std::string_view> allowed) {
    fail(path,
         "Invalid value for '" + path.str() + "': " + quoted(got) + ". Supported values are: " +
             choices_text(allowed) + ".",
         "invalid_value");
}

std::string_view model_field(const json::object &root, const Path &top) {
    constexpr std::size_t kMaxModelBytes = 256;
    const Path path = top.child("model");
    const json::string &model = non_empty_string(required(root, "model", path), path);
    if (model.size() > kMaxModelBytes)
        fail(path, "model is longer than " + std::to_string(kMaxModelBytes) + " bytes", "invalid_value");
    return {model.data(), model.size()};
}

ApiError out_of_memory() { return internal_error("The gateway ran out of memory while reading the request."); }

ApiError unreadable(const char *what) { return internal_error(std::string("The request could not be read: ") + what); }

} // namespace helix::api::fields
