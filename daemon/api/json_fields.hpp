#pragma once
// Reading the members of a client's JSON body the way OpenAI validates them,
// shared by the request parsers (chat completions, embeddings): the body's
// parse with OpenAI's message for malformed JSON, the path of a field
// ("messages[2].content[0].type"), and checks that throw Invalid with a 400
// invalid_request_error naming that path, in OpenAI's words and codes
// (missing_required_parameter, invalid_type, empty_array, empty_string,
// integer_below_min_value, ..., invalid_value).

#include "daemon/api/error_body.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace helix::api {

// Limit of the parsers (beyond those OpenAI documents).
inline constexpr std::size_t kMaxJsonDepth = 64; // deeper bodies are a 400, not a stack overflow

} // namespace helix::api

namespace helix::api::fields {

namespace json = boost::json;

// The path of a field, as a chain of stack frames; turned into text
// ("messages[2].content[0].type") only when an error names it.
class Path {
public:
    Path() = default;
    Path child(std::string_view key) const noexcept { return Path(this, key, 0, Kind::key); }
    Path at(std::size_t index) const noexcept { return Path(this, {}, index, Kind::index); }

    std::string str() const {
        std::vector<const Path *> chain;
        for (const Path *p = this; p != nullptr && p->kind_ != Kind::root; p = p->parent_) chain.push_back(p);
        std::string text;
        for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
            const Path &p = **it;
            if (p.kind_ == Kind::index) {
                text += '[';
                text += std::to_string(p.index_);
                text += ']';
            } else {
                if (!text.empty()) text += '.';
                text += p.key_;
            }
        }
        return text;
    }

private:
    enum class Kind { root, key, index };
    Path(const Path *parent, std::string_view key, std::size_t index, Kind kind) noexcept
        : parent_(parent), key_(key), index_(index), kind_(kind) {}
    const Path *parent_ = nullptr;
    std::string_view key_;
    std::size_t index_ = 0;
    Kind kind_ = Kind::root;
};

// What a failed check throws; the parser turns it into its result.
struct Invalid {
    ApiError error;
};

// Parses the body into a document allocated from one arena (freed at once,
// with the document). Throws Invalid (param and code null, as at OpenAI) for
// text that is not JSON, nests deeper than kMaxJsonDepth, or is not an object.
json::value parse_body(std::string_view body);

[[noreturn]] void fail(const Path &path, std::string message, std::string code);
[[noreturn]] void fail_missing(const Path &path);
[[noreturn]] void fail_type(const Path &path, std::string_view expected, const json::value &got);
// "Invalid value for 'p': 'x'. Supported values are: 'a', 'b', and 'c'."
[[noreturn]] void fail_value(const Path &path, std::string_view got, std::initializer_list<std::string_view> allowed);

const char *kind_name(const json::value &v) noexcept; // "a string", "an array", ...
// A value quoted in a message: at most 64 characters, cut at a character boundary.
std::string quoted(std::string_view value);
std::string number_text(double d);
std::string number_text(const json::value &v);
// "'a', 'b', and 'c'"
std::string choices_text(std::initializer_list<std::string_view> values);

// Member `key` of `object`, or nullptr when it is absent or null (optional
// members given as null count as not given, as at OpenAI).
const json::value *optional(const json::object &object, std::string_view key) noexcept;
const json::value &required(const json::object &object, std::string_view key, const Path &path);

const json::string &as_string(const json::value &v, const Path &path);
const json::object &as_object(const json::value &v, const Path &path);
const json::array &as_array(const json::value &v, const Path &path);
bool as_bool(const json::value &v, const Path &path);
// `what` says what the array holds, for the message.
const json::array &non_empty_array(const json::value &v, const Path &path, std::string_view what);
const json::string &non_empty_string(const json::value &v, const Path &path);
// The request's required "model": a non-empty string of at most 256 bytes
// (longer than any provider/model id; it is logged and echoed back).
std::string_view model_field(const json::object &root, const Path &top);
double as_number_in(const json::value &v, const Path &path, double min, double max);
// An integer (5.0 counts, 5.5 does not) within [min, max].
std::int64_t as_integer_in(const json::value &v, const Path &path, std::int64_t min, std::int64_t max);

// The errors guarded() gives for an exception other than Invalid (500s).
ApiError out_of_memory();
ApiError unreadable(const char *what);

// Runs a parser so that it never throws: Invalid becomes its error, running
// out of memory (or any other exception) a 500.
template <class Result, class Parse>
Result guarded(Parse &&parse) {
    try {
        return parse();
    } catch (Invalid &invalid) {
        return std::move(invalid.error);
    } catch (const std::bad_alloc &) {
        return out_of_memory();
    } catch (const std::exception &e) {
        return unreadable(e.what());
    }
}

} // namespace helix::api::fields
