#include "tools/cloudsim/options.hpp"

#include <algorithm>
#include <map>
#include <sstream>

namespace helix::cloudsim {

namespace {

std::int64_t number(const std::string &option, const std::string &value, std::int64_t min, std::int64_t max) {
    const auto v = parse_bounded(value, max);
    if (!v || *v < min) {
        throw UsageError("--" + option + ": expected an integer in [" + std::to_string(min) + ", " +
                         std::to_string(max) + "], got '" + value + "'");
    }
    return *v;
}

std::vector<std::string> split_list(const std::string &text) {
    std::vector<std::string> out;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        if (!item.empty()) out.push_back(item);
    }
    return out;
}

} // namespace

std::string usage_text(std::span<const ProviderModule> modules) {
    std::ostringstream out;
    out << "usage: helix-cloudsim [options]\n"
           "Local simulators of the cloud LLM APIs, one listener per provider. On start, prints one line of JSON\n"
           "with the bound ports (e.g. {\"openai\":34567,\"anthropic\":34568}) to stdout; stops on SIGINT/SIGTERM.\n\n"
           "  --bind ADDR             listen address (default 127.0.0.1)\n";
    for (const auto &m : modules) {
        out << "  --" << m.name << "-port N" << std::string(std::max<std::size_t>(1, 13 - std::min<std::size_t>(m.name.size(), 12)), ' ')
            << m.name << " listener port (default 0: ephemeral)\n"
            << "  --" << m.name << "-key K" << std::string(std::max<std::size_t>(1, 14 - std::min<std::size_t>(m.name.size(), 13)), ' ')
            << "accepted key (default " << m.default_key << ")\n";
        for (const auto &setting : m.settings) {
            const std::string flag = "--" + std::string(m.name) + "-" + std::string(setting.option) + " V";
            out << "  " << flag << std::string(std::max<std::size_t>(1, 24 - std::min<std::size_t>(flag.size(), 23)), ' ')
                << setting.help;
            if (!setting.default_value.empty()) out << " (default " << setting.default_value << ")";
            out << '\n';
        }
    }
    out << "  --aws-<setting> V       same as --bedrock-<setting> (--aws-access-key-id, --aws-region, ...)\n"
           "  --providers a,b         serve only these providers (default: all)\n"
           "  --max-connections N     connections held at once = pool threads, and as many HTTP/2 streams (default 20000)\n"
           "  --thread-stack-kb N     stack size of a pool thread (default 128)\n"
           "  --backlog N             listen backlog (default 4096)\n"
           "  --ttfb-ms N             default time to first byte (default 0; header x-sim-ttfb-ms)\n"
           "  --token-delay-ms N      default delay between streamed tokens (default 0; x-sim-token-delay-ms)\n"
           "  --reply-tokens N        default length of a text reply (default 20; x-sim-reply-tokens)\n"
           "  --h2-max-streams N      SETTINGS_MAX_CONCURRENT_STREAMS of an HTTP/2 connection (default 100)\n"
           "  --tls-cert FILE         PEM certificate chain: every listener speaks h2 over TLS (ALPN) instead\n"
           "  --tls-key FILE          its private key (PEM)\n"
           "  --watch-pid PID         stop when process PID is gone (tests pass their own pid)\n"
           "  --help                  this text\n"
           "Faults per request: header x-sim-fault: <kind> or [[fault:<kind>]] in the last user message;\n"
           "per provider: POST /__sim/faults {\"kind\":\"503\",\"count\":3}. Kinds: 429 500 503 529\n"
           "reset-before-headers reset-mid-stream slow-first-byte stall malformed-json.\n";
    return out.str();
}

SimOptions parse_options(const std::vector<std::string> &args, std::span<const ProviderModule> modules) {
    SimOptions opts;
    std::map<std::string, ProviderLaunch> launches;
    for (const auto &m : modules) {
        ProviderLaunch l;
        l.module = &m;
        l.options.key = std::string(m.default_key);
        for (const auto &setting : m.settings)
            l.options.settings[std::string(setting.option)] = std::string(setting.default_value);
        launches.emplace(std::string(m.name), l);
    }
    std::vector<std::string> only;

    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string arg = args[i];
        if (arg == "--help" || arg == "-h") {
            opts.help = true;
            continue;
        }
        if (!arg.starts_with("--")) throw UsageError("unexpected argument '" + arg + "'");
        arg = arg.substr(2);
        std::string value;
        if (const auto eq = arg.find('='); eq != std::string::npos) {
            value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
        } else {
            if (i + 1 >= args.size()) throw UsageError("--" + arg + " needs a value");
            value = args[++i];
        }

        bool provider_option = false;
        for (auto &[name, launch] : launches) {
            if (arg == name + "-port") {
                launch.port = static_cast<std::uint16_t>(number(arg, value, 0, 65535));
                provider_option = true;
            } else if (arg == name + "-key") {
                if (value.empty()) throw UsageError("--" + arg + " must not be empty");
                launch.options.key = value;
                provider_option = true;
            } else {
                for (const auto &setting : launch.module->settings) {
                    // Bedrock's settings also go by AWS names: --aws-region = --bedrock-region.
                    if (arg != name + "-" + std::string(setting.option) &&
                        !(name == "bedrock" && arg == "aws-" + std::string(setting.option)))
                        continue;
                    if (setting.check) {
                        if (const std::string problem = setting.check(value); !problem.empty())
                            throw UsageError("--" + arg + ": " + problem);
                    }
                    launch.options.settings[std::string(setting.option)] = value;
                    provider_option = true;
                }
            }
        }
        if (provider_option) continue;

        if (arg == "bind") opts.server.bind_address = value;
        else if (arg == "providers") only = split_list(value);
        else if (arg == "max-connections") opts.server.max_connections = static_cast<int>(number(arg, value, 1, 1'000'000));
        else if (arg == "thread-stack-kb")
            opts.server.thread_stack_bytes = static_cast<std::size_t>(number(arg, value, 64, 65536)) * 1024;
        else if (arg == "h2-max-streams")
            opts.server.h2_max_streams = static_cast<std::uint32_t>(number(arg, value, 1, 1'000'000));
        else if (arg == "tls-cert") opts.server.tls_cert = value;
        else if (arg == "tls-key") opts.server.tls_key = value;
        else if (arg == "watch-pid") opts.watch_pid = static_cast<long>(number(arg, value, 1, 4'194'304));
        else if (arg == "backlog") opts.server.backlog = static_cast<int>(number(arg, value, 1, 1'000'000));
        else if (arg == "ttfb-ms") opts.server.defaults.ttfb = std::chrono::milliseconds(number(arg, value, 0, kMaxTtfbMs));
        else if (arg == "token-delay-ms")
            opts.server.defaults.token_delay = std::chrono::milliseconds(number(arg, value, 0, kMaxTokenDelayMs));
        else if (arg == "reply-tokens")
            opts.server.defaults.reply_tokens = static_cast<std::uint32_t>(number(arg, value, 1, kMaxReplyTokens));
        else throw UsageError("unknown option --" + arg);
    }

    if (opts.server.tls_cert.empty() != opts.server.tls_key.empty())
        throw UsageError("--tls-cert and --tls-key go together");
    for (const auto &name : only) {
        if (!launches.contains(name)) throw UsageError("--providers: unknown provider '" + name + "'");
    }
    for (const auto &m : modules) {
        const std::string name(m.name);
        if (only.empty() || std::find(only.begin(), only.end(), name) != only.end())
            opts.providers.push_back(launches.at(name));
    }
    return opts;
}

} // namespace helix::cloudsim
