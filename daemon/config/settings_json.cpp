#include "daemon/config/settings_json.hpp"

#include "daemon/config/syntax.hpp"

#include <boost/json/array.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>

namespace helix::config {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view text) {
    if (text.empty()) {
        return false;
    }
    for (const char c : text) {
        if (!is_digit(c)) {
            return false;
        }
    }
    return true;
}

// [-+]?[0-9]+ without leading zeros: "007" is an identifier (an account or
// project number), and turning it into 7 would lose information.
std::optional<boost::json::value> as_integer(std::string_view text) {
    const bool negative = !text.empty() && text.front() == '-';
    std::string_view digits = text;
    if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) {
        digits.remove_prefix(1);
    }
    if (!all_digits(digits) || (digits.size() > 1 && digits.front() == '0')) {
        return std::nullopt;
    }
    if (negative) {
        std::int64_t value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error != std::errc{} || end != text.data() + text.size()) {
            return std::nullopt; // below INT64_MIN: keep the text
        }
        return boost::json::value(value);
    }
    const auto value = parse_unsigned(digits);
    if (!value) {
        return std::nullopt;
    }
    if (*value <= static_cast<std::uint64_t>(INT64_MAX)) {
        return boost::json::value(static_cast<std::int64_t>(*value));
    }
    return boost::json::value(*value);
}

// YAML 1.2 core schema float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
// (.inf and .nan have no JSON form and stay strings).
std::optional<boost::json::value> as_float(std::string_view text) {
    std::string_view rest = text;
    if (!rest.empty() && (rest.front() == '-' || rest.front() == '+')) {
        rest.remove_prefix(1);
    }
    std::size_t i = 0;
    std::size_t mantissa_digits = 0;
    while (i < rest.size() && is_digit(rest[i])) {
        ++i;
        ++mantissa_digits;
    }
    if (i < rest.size() && rest[i] == '.') {
        ++i;
        while (i < rest.size() && is_digit(rest[i])) {
            ++i;
            ++mantissa_digits;
        }
    }
    if (mantissa_digits == 0) {
        return std::nullopt;
    }
    if (i < rest.size() && (rest[i] == 'e' || rest[i] == 'E')) {
        ++i;
        if (i < rest.size() && (rest[i] == '-' || rest[i] == '+')) {
            ++i;
        }
        if (!all_digits(rest.substr(i))) {
            return std::nullopt;
        }
        i = rest.size();
    }
    // Without '.' or an exponent it is an integer, and as_integer turned it down.
    if (i != rest.size() || rest.find_first_of(".eE") == std::string_view::npos) {
        return std::nullopt;
    }
    // from_chars takes no '+'; the sign is applied afterwards.
    const std::string_view unsigned_text = rest;
    double value = 0;
    const auto [end, error] =
        std::from_chars(unsigned_text.data(), unsigned_text.data() + unsigned_text.size(), value);
    if (error != std::errc{} || end != unsigned_text.data() + unsigned_text.size() || !std::isfinite(value)) {
        return std::nullopt;
    }
    return boost::json::value(text.front() == '-' ? -value : value);
}

boost::json::value convert(LoadContext &ctx, const YAML::Node &key, const YAML::Node &value, const std::string &path,
                           bool secret);

boost::json::object convert_map(LoadContext &ctx, const YAML::Node &key, const YAML::Node &map,
                                 const std::string &path, bool secret) {
    boost::json::object object;
    ctx.for_each_free_entry(key, map, path,
                            [&](const std::string &name, const YAML::Node &key_node, const YAML::Node &child) {
                                object[name] = convert(ctx, key_node, child, path + "." + name,
                                                       secret || is_secret_name(name));
                            });
    return object;
}

boost::json::value convert(LoadContext &ctx, const YAML::Node &key, const YAML::Node &value, const std::string &path,
                           bool secret) {
    switch (value.Type()) {
    case YAML::NodeType::Map:
        return convert_map(ctx, key, value, path, secret);
    case YAML::NodeType::Sequence: {
        boost::json::array array;
        std::size_t index = 0;
        for (const YAML::Node &item : value) {
            array.push_back(convert(ctx, item, item, path + "[" + std::to_string(index) + "]", secret));
            ++index;
        }
        return array;
    }
    case YAML::NodeType::Scalar: {
        const auto scalar = ctx.scalar(key, value, path, secret);
        return scalar ? typed_scalar(*scalar) : boost::json::value{};
    }
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
        break;
    }
    return boost::json::value{};
}

} // namespace

boost::json::value typed_scalar(const Scalar &scalar) {
    const std::string &text = scalar.text;
    if (!scalar.plain) {
        return boost::json::value(text);
    }
    if (text == "true" || text == "True" || text == "TRUE") {
        return boost::json::value(true);
    }
    if (text == "false" || text == "False" || text == "FALSE") {
        return boost::json::value(false);
    }
    if (text == "null" || text == "Null" || text == "NULL" || text == "~") {
        return boost::json::value{};
    }
    if (auto integer = as_integer(text)) {
        return std::move(*integer);
    }
    if (auto real = as_float(text)) {
        return std::move(*real);
    }
    return boost::json::value(text);
}

boost::json::value settings_value_to_json(LoadContext &ctx, const YAML::Node &key, const YAML::Node &value,
                                          const std::string &path, bool secret) {
    return convert(ctx, key, value, path, secret);
}

boost::json::object settings_to_json(LoadContext &ctx, const YAML::Node &key, const YAML::Node &value,
                                     const std::string &path) {
    return convert_map(ctx, key, value, path, false);
}

} // namespace helix::config
