#include "tools/cloudsim/reply_generator.hpp"

#include "tools/cloudsim/prompt_cache.hpp"
#include "tools/cloudsim/schema_sample.hpp"
#include "tools/cloudsim/thinking.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

namespace helix::cloudsim {

namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

constexpr std::array<std::string_view, 48> kFiller{
    "the",     "gateway", "routes",  "each",    "request", "to",     "a",      "healthy", "provider",
    "and",     "streams", "tokens",  "back",    "while",   "it",     "counts", "usage",   "for",
    "every",   "model",   "with",    "care",    "latency", "stays",  "low",    "when",    "load",
    "grows",   "so",      "clients", "see",     "steady",  "replies", "from",  "simulated", "clouds",
    "that",    "never",   "leave",   "this",    "machine", "because", "tests", "must",    "run",
    "offline", "quickly", "today"};

// splitmix64: a small, well-mixed deterministic generator.
std::uint64_t next_random(std::uint64_t &state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31U);
}

std::string hex64(std::uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return std::string(buf, 16);
}

// Words of `text`, without `[[...]]` directives.
std::vector<std::string> user_words(std::string_view text, std::size_t limit) {
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < text.size() && words.size() < limit) {
        while (i < text.size() && is_space(text[i])) ++i;
        if (i >= text.size()) break;
        const std::size_t start = i;
        while (i < text.size() && !is_space(text[i])) ++i;
        const std::string_view word = text.substr(start, i - start);
        if (word.starts_with("[[") || word.ends_with("]]")) continue;
        words.emplace_back(word);
    }
    return words;
}

const ToolSpec *find_tool(const std::vector<ToolSpec> &tools, std::string_view name) {
    for (const auto &tool : tools) {
        if (tool.name == name) return &tool;
    }
    return nullptr;
}

const ToolSpec *chosen_tool(const SimPrompt &prompt) {
    if (prompt.tools.empty() || prompt.tool_choice == ToolChoice::none) return nullptr;
    if (prompt.tool_choice == ToolChoice::named) return find_tool(prompt.tools, prompt.tool_choice_name);
    if (auto directive = find_tool_directive(prompt.last_user_text)) {
        if (const ToolSpec *tool = find_tool(prompt.tools, *directive)) return tool;
    }
    // "... by calling the <name> tool ...": an instruction the system prompt gives.
    static constexpr std::string_view kCalling = "by calling the ";
    if (const std::size_t at = prompt.system_text.find(kCalling); at != std::string::npos) {
        const std::size_t start = at + kCalling.size();
        const std::size_t end = prompt.system_text.find(" tool", start);
        if (end != std::string::npos)
            if (const ToolSpec *tool = find_tool(prompt.tools, prompt.system_text.substr(start, end - start))) return tool;
    }
    if (prompt.tool_choice == ToolChoice::required) return &prompt.tools.front();
    return nullptr;
}

constexpr std::size_t kJsonPieceBytes = 8;

void cut_to_max_tokens(Reply &reply, const std::optional<std::uint64_t> &max_tokens) {
    if (!max_tokens) return;
    const std::uint64_t limit = std::max<std::uint64_t>(*max_tokens, 1);
    if (reply.pieces.size() > limit) {
        reply.pieces.resize(static_cast<std::size_t>(limit));
        reply.finish = FinishReason::length;
    }
}

} // namespace

std::uint64_t fnv1a(std::string_view text) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

std::uint64_t count_tokens(std::string_view text) {
    std::uint64_t n = 0;
    bool in_word = false;
    for (const char c : text) {
        const bool space = is_space(c);
        if (!space && !in_word) ++n;
        in_word = !space;
    }
    return n;
}

std::vector<std::string> split_pieces(std::string_view text) {
    std::vector<std::string> pieces;
    std::size_t i = 0;
    std::size_t piece_start = 0;
    while (i < text.size()) {
        while (i < text.size() && is_space(text[i])) ++i;
        if (i >= text.size()) break;
        while (i < text.size() && !is_space(text[i])) ++i;
        pieces.emplace_back(text.substr(piece_start, i - piece_start));
        piece_start = i;
    }
    if (piece_start < text.size()) {
        if (pieces.empty()) pieces.emplace_back();
        pieces.back().append(text.substr(piece_start));
    }
    return pieces;
}

std::vector<std::string> split_fragments(std::string_view text, std::size_t max_bytes) {
    max_bytes = std::max<std::size_t>(max_bytes, 1);
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t end = std::min(text.size(), i + max_bytes);
        // Do not end a fragment before a UTF-8 continuation byte.
        while (end < text.size() && end > i + 1 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) --end;
        if (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) {
            // One sequence longer than max_bytes: take it whole.
            end = i + 1;
            while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) ++end;
        }
        out.emplace_back(text.substr(i, end - i));
        i = end;
    }
    return out;
}

std::optional<std::string> find_tool_directive(std::string_view text) {
    static constexpr std::string_view phrase = "call tool";
    if (text.size() < phrase.size()) return std::nullopt;
    for (std::size_t i = 0; i + phrase.size() <= text.size(); ++i) {
        bool match = true;
        for (std::size_t j = 0; j < phrase.size() && match; ++j) {
            match = std::tolower(static_cast<unsigned char>(text[i + j])) == phrase[j];
        }
        if (!match) continue;
        if (i > 0 && std::isalnum(static_cast<unsigned char>(text[i - 1])) != 0) continue;
        std::size_t k = i + phrase.size();
        if (k >= text.size() || !is_space(text[k])) continue;
        while (k < text.size() && is_space(text[k])) ++k;
        const std::size_t start = k;
        while (k < text.size()) {
            const auto c = static_cast<unsigned char>(text[k]);
            if (std::isalnum(c) == 0 && c != '_' && c != '-' && c != '.') break;
            ++k;
        }
        // A trailing '.' ends a sentence, not the name.
        while (k > start && text[k - 1] == '.') --k;
        if (k > start) return std::string(text.substr(start, k - start));
    }
    return std::nullopt;
}

std::string tool_arguments_for(const boost::json::value &schema) {
    const boost::json::value args = schema_sample(schema);
    return args.is_object() ? boost::json::serialize(args) : std::string("{}");
}

std::string Reply::text() const {
    std::string out;
    for (const auto &p : pieces) out += p;
    return out;
}

namespace {

Reply tool_call_reply(const SimPrompt &prompt, const ToolSpec &tool) {
    Reply reply;
    reply.prompt_tokens = prompt.prompt_tokens;
    ToolCall call;
    call.name = tool.name;
    call.arguments = tool_arguments_for(tool.parameters);
    call.id_suffix = hex64(fnv1a(prompt.all_text + '\x1f' + call.name)).substr(0, 24);
    reply.completion_tokens = count_tokens(call.name) + count_tokens(call.arguments);
    reply.tool_call = std::move(call);
    reply.finish = FinishReason::tool_call;
    return reply;
}

Reply answer(const SimPrompt &prompt, std::uint32_t reply_tokens) {
    Reply reply;
    reply.prompt_tokens = prompt.prompt_tokens;

    if (prompt.ends_with_tool_result && !prompt.tools.empty() && prompt.tool_choice != ToolChoice::none) {
        // A tool result that asks for another call keeps the tool loop going.
        if (auto directive = find_tool_directive(prompt.tool_result_text)) {
            if (const ToolSpec *tool = find_tool(prompt.tools, *directive)) return tool_call_reply(prompt, *tool);
        }
    }
    if (prompt.ends_with_tool_result) {
        reply.pieces = split_pieces("Tool result: " + prompt.tool_result_text);
        cut_to_max_tokens(reply, prompt.max_tokens);
        reply.completion_tokens = reply.pieces.size();
        return reply;
    }

    if (const ToolSpec *tool = chosen_tool(prompt)) return tool_call_reply(prompt, *tool);

    const std::size_t n = std::max<std::uint32_t>(reply_tokens, 1);
    std::vector<std::string> words;
    words.reserve(n);
    words.emplace_back("You");
    words.emplace_back("said:");
    for (auto &w : user_words(prompt.last_user_text, 8)) words.push_back(std::move(w));
    std::uint64_t state = fnv1a(prompt.all_text);
    while (words.size() < n) words.emplace_back(kFiller[next_random(state) % kFiller.size()]);
    words.resize(n);
    if (std::isalnum(static_cast<unsigned char>(words.back().back())) != 0) words.back() += '.';
    reply.pieces.reserve(n);
    for (std::size_t i = 0; i < n; ++i) reply.pieces.push_back(i == 0 ? words[i] : " " + words[i]);
    cut_to_max_tokens(reply, prompt.max_tokens);
    reply.completion_tokens = reply.pieces.size();
    return reply;
}

// Structured output: the text answer as JSON, a sample of the schema or
// {"reply": <the words>}, in pieces of a few bytes.
void as_json(const SimPrompt &prompt, Reply &reply) {
    if (!prompt.json_response || reply.tool_call) return;
    const std::string json = prompt.response_schema
                                 ? boost::json::serialize(schema_sample(*prompt.response_schema))
                                 : boost::json::serialize(boost::json::object{{"reply", reply.text()}});
    reply.pieces = split_fragments(json, kJsonPieceBytes);
    reply.finish = FinishReason::stop;
    cut_to_max_tokens(reply, prompt.max_tokens);
    reply.completion_tokens = reply.pieces.size();
}

} // namespace

Reply generate_reply(const SimPrompt &prompt, std::uint32_t reply_tokens) {
    Reply reply = answer(prompt, reply_tokens);
    as_json(prompt, reply);
    const CacheUse cache = use_prompt_cache(prompt);
    reply.cache_read_tokens = cache.read;
    reply.cache_write_tokens = cache.write;
    if (prompt.thinking_budget) {
        reply.thinking = thinking_text(prompt);
        reply.thinking_signature = sign_thinking(reply.thinking);
        reply.completion_tokens += count_tokens(reply.thinking);
        if (prompt.all_text.find(kRedactedThinkingTrigger) != std::string::npos)
            reply.redacted_thinking = redacted_thinking_data(prompt.last_user_text);
    }
    return reply;
}

} // namespace helix::cloudsim
