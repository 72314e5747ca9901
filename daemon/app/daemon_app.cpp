#include "daemon/app/core_dumps.hpp"
#include "daemon/app/daemon_app.hpp"

#include "daemon/app/config_watcher.hpp"

#include "daemon/app/logging_setup.hpp"
#include "daemon/app/shared_state_link.hpp"
#include "daemon/app/signal_waiter.hpp"
#include "daemon/app/systemd_notifier.hpp"
#include "daemon/config/config_error.hpp"
#include "daemon/config/config_loader.hpp"
#include "daemon/config/env_expand.hpp"
#include "daemon/http/event_server.hpp"
#include "daemon/http/server_state.hpp"
#include "daemon/http/tls_server_context.hpp"
#include "daemon/redis/redis_tls_context.hpp"
#include "daemon/router/model_lifecycle.hpp"
#include "daemon/router/plugin_schemas.hpp"
#include "daemon/transport/side_request_client.hpp"

#include <helixagent/plugin_abi.h>

#include <Poco/Logger.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <stdexcept>

#ifndef HELIX_VERSION
#define HELIX_VERSION "0.0.0"
#endif

namespace helix::app {

namespace {

constexpr const char *default_config_path = "/etc/helixagent/helixagent.yaml";
constexpr int exit_invalid_config = 1;

Poco::Logger &daemon_log() { return Poco::Logger::get("helixagentd"); }

// The configuration at `path` for the command line (--check, start): on a
// problem every issue goes to stderr, then `verdict` ("... test failed"), and
// the result is null.
config::ConfigPtr load_or_report(const std::string &path, const std::string &verdict, router::LibraryCache &libraries) {
    try {
        router::LibrarySchemas schemas(libraries);
        return config::load_config(path, config::process_environment(), &schemas);
    } catch (const config::ConfigError &e) {
        for (const auto &issue : e.issues()) std::cerr << issue.to_string() << '\n';
        std::cerr << verdict << '\n';
        return nullptr;
    }
}

// What the metrics may label series with, and how many providers are loaded.
void publish_to_metrics(const router::Runtime &runtime, metrics::Metrics &metrics) {
    std::vector<metrics::Target> targets;
    for (const auto &provider : runtime.providers) {
        targets.push_back({provider->name(), {}});
        for (const auto &model : provider->models()) targets.push_back({provider->name(), model.id});
    }
    metrics.allow_targets(targets);
    metrics.set_plugins_loaded(runtime.providers.size());
    metrics.allow_clients(runtime.client_keys->names());
    metrics.set_client_label(runtime.config->metrics.client_label);
}

// The listener's TLS context (null without server.tls); throws naming the file.
std::shared_ptr<boost::asio::ssl::context> tls_context_for(const config::ServerSettings &server) {
    if (server.tls_cert_file.empty()) return nullptr;
    return http::make_tls_server_context(server.tls_cert_file, server.tls_key_file);
}

// What --check-config says about server.tls's files beyond being readable.
std::optional<std::string> tls_problem_of(const config::ServerSettings &server) {
    try {
        tls_context_for(server);
        return std::nullopt;
    } catch (const std::exception &e) {
        return std::string(e.what());
    }
}

void log_skipped_providers(const router::Runtime &runtime) {
    for (const auto &[name, reason] : runtime.skipped_providers)
        daemon_log().warning("provider '" + name + "' skipped (enabled: auto): " + reason);
}

} // namespace

void DaemonApp::defineOptions(Poco::Util::OptionSet &options) {
    ServerApplication::defineOptions(options);
    options.addOption(Poco::Util::Option("config", "c",
                                         "configuration file (default: $HELIXAGENT_CONFIG, else " +
                                             std::string(default_config_path) + ")")
                          .argument("FILE"));
    options.addOption(Poco::Util::Option("check-config", "t",
                                         "check the configuration and each plugin's settings; print "
                                         "file:line: reason per problem; exit 0 if valid, 1 if not"));
    options.addOption(Poco::Util::Option("version", "V", "print the version and plugin ABI, then exit"));
    options.addOption(Poco::Util::Option("help", "h", "print this help, then exit"));
}

void DaemonApp::handleOption(const std::string &name, const std::string &value) {
    ServerApplication::handleOption(name, value);
    if (name == "config") config_path_ = value;
    if (name == "check-config") check_only_ = true;
    if (name == "version") show_version_ = true;
    if (name == "help") show_help_ = true;
    if (show_version_ || show_help_) stopOptionsProcessing();
}

void DaemonApp::print_help() const {
    Poco::Util::HelpFormatter help(options());
    help.setCommand(commandName());
    help.setUsage("[--config FILE] [--check-config]");
    help.setHeader("HelixAgent: an OpenAI-compatible gateway to enterprise LLM services.");
    help.format(std::cout);
}

std::string DaemonApp::config_path() const {
    if (!config_path_.empty()) return config_path_;
    if (const char *env = std::getenv("HELIXAGENT_CONFIG"); env != nullptr && *env != '\0') return env;
    return default_config_path;
}

int DaemonApp::main(const std::vector<std::string> &args) {
    if (show_help_) {
        print_help();
        return EXIT_OK;
    }
    if (show_version_) {
        std::cout << "helixagentd " << HELIX_VERSION << " (plugin ABI " << HELIX_ABI_MAJOR << "." << HELIX_ABI_MINOR
                  << ")\n";
        return EXIT_OK;
    }
    if (!args.empty()) {
        std::cerr << "helixagentd: unexpected argument '" << args.front() << "' (see --help)\n";
        return EXIT_USAGE;
    }
    return check_only_ ? check_config() : serve();
}

namespace {

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

int DaemonApp::check_config() {
    const std::string path = config_path();
    router::LibraryCache libraries;
    const config::ConfigPtr cfg =
        load_or_report(path, "helixagentd: configuration file " + path + " test failed", libraries);
    if (!cfg) return exit_invalid_config;
    std::vector<std::string> skipped;
    auto problems = router::check_plugins(*cfg, libraries, skipped);
    if (const auto tls_problem = tls_problem_of(cfg->server)) problems.push_back(*tls_problem);
    if (const auto redis_problem = redis::redis_tls_problem(cfg->shared_state)) problems.push_back(*redis_problem);
    for (const auto &p : problems) std::cerr << p << '\n';
    for (const auto &p : skipped) std::cout << p << " (enabled: auto: it would be skipped)\n";
    for (const auto &w : router::end_of_life_warnings(*cfg, now_seconds())) std::cout << "warning: " << w << '\n';
    if (!problems.empty()) {
        std::cerr << "helixagentd: configuration file " << path << " test failed\n";
        return exit_invalid_config;
    }
    std::cout << "helixagentd: configuration file " << path << " test is successful\n";
    return EXIT_OK;
}

void DaemonApp::reload(router::RuntimeHolder &holder, router::LibraryCache &libraries,
                       const std::shared_ptr<plugins::SideRequestClient> &side_requests, metrics::Metrics &metrics,
                       audit::AccessLog &access_log, http::EventServer &server, SharedStateLink &shared) {
    const std::string path = config_path();
    try {
        router::LibrarySchemas schemas(libraries);
        auto cfg = config::load_config(path, config::process_environment(), &schemas);
        const auto &old_server = holder.current()->config->server;
        const bool tls_was_on = !old_server.tls_cert_file.empty();
        const bool tls_on = !cfg->server.tls_cert_file.empty();
        if (cfg->server.port != old_server.port || cfg->server.listen_address != old_server.listen_address ||
            cfg->server.max_connections != old_server.max_connections || cfg->server.threads != old_server.threads ||
            tls_on != tls_was_on)
            daemon_log().warning("server listen settings changed in '" + path + "'; they take effect after a restart");
        // The certificate and key are read again on every reload (a renewed
        // certificate under the same names, or other files); one that cannot
        // be used throws here, naming the file, and the previous configuration stays.
        std::shared_ptr<boost::asio::ssl::context> tls;
        if (tls_on && tls_was_on) tls = tls_context_for(cfg->server);
        const auto &old_upstream = holder.current()->config->upstream;
        if (cfg->upstream.verify_tls != old_upstream.verify_tls || cfg->upstream.ca_file != old_upstream.ca_file ||
            cfg->upstream.max_idle_connections != old_upstream.max_idle_connections ||
            cfg->upstream.idle_timeout != old_upstream.idle_timeout)
            daemon_log().warning("upstream settings changed in '" + path + "'; they take effect after a restart");
        auto runtime = router::build_runtime(std::move(cfg), libraries, side_requests);
        // Reopened even if unchanged, so a reload also follows a log rotation.
        if (const auto error = access_log.configure(runtime->config->log.access, runtime->config->log.access_content);
            !error.empty())
            throw std::runtime_error(error);
        publish_to_metrics(*runtime, metrics);
        log_skipped_providers(*runtime);
        shared.apply(*runtime->config);
        holder.replace(std::move(runtime));
        if (tls) {
            server.replace_tls(std::move(tls)); // for new connections; open ones keep theirs
            daemon_log().information("TLS certificate reloaded from " + holder.current()->config->server.tls_cert_file);
        }
        metrics.count_config_reload(true);
        daemon_log().information("configuration reloaded from '" + path + "'");
        for (const auto &notice : holder.current()->config->notices) daemon_log().warning(notice);
    } catch (const config::ConfigError &e) {
        metrics.count_config_reload(false);
        for (const auto &issue : e.issues())
            daemon_log().error("error updating configuration from '" + path + "': " + issue.to_string());
        daemon_log().error("kept the previous configuration");
    } catch (const std::exception &e) {
        metrics.count_config_reload(false);
        daemon_log().error("error updating configuration from '" + path + "': " + e.what() +
                       "; kept the previous configuration");
    }
}

int DaemonApp::serve() {
    // Before any secret is read.
    const bool no_core = disable_core_dumps();
    // Before any thread exists, so that every thread inherits the mask.
    block_daemon_signals();
    const std::string path = config_path();
    router::LibraryCache libraries;
    config::ConfigPtr cfg = load_or_report(path, "helixagentd: not started: invalid configuration file " + path, libraries);
    if (!cfg) return EXIT_CONFIG;
    setup_logging(cfg->log);
    const LoggingCloser close_logging_at_exit;
    if (!no_core) daemon_log().warning("HELIXAGENT_DUMPABLE=1: core dumps are allowed and may hold secrets");
    for (const auto &notice : cfg->notices) daemon_log().warning(notice);

    // Outbound settings are read once: a reload that changes them warns.
    std::shared_ptr<const transport::UpstreamSettings> outbound;
    try {
        outbound = transport::UpstreamSettings::make(
            transport::TlsSettings{cfg->upstream.verify_tls, cfg->upstream.ca_file},
            transport::ProxySettings::from_environment(config::process_environment()),
            cfg->upstream.max_idle_connections, cfg->upstream.idle_timeout);
    } catch (const std::exception &e) {
        daemon_log().fatal(std::string("not started: ") + e.what());
        return EXIT_CONFIG;
    }
    transport::UpstreamClient upstream(outbound);
    auto side_requests = std::make_shared<transport::PooledSideRequestClient>(upstream);
    router::RuntimeHolder holder;
    // One for the process: it outlives every reload and the server using it.
    metrics::Metrics metrics(HELIX_VERSION);
    try {
        holder.replace(router::build_runtime(cfg, libraries, side_requests));
        publish_to_metrics(*holder.current(), metrics);
    } catch (const std::exception &e) {
        daemon_log().fatal(std::string("not started: ") + e.what());
        return EXIT_CONFIG;
    }
    for (const auto &p : holder.current()->providers)
        daemon_log().information("provider '" + p->name() + "': plugin " + p->library().name() + " " +
                             p->library().version() + ", " + std::to_string(p->models().size()) + " models");
    log_skipped_providers(*holder.current());

    // A change of the file on disk reloads like SIGHUP does. Watching starts
    // before the daemon says it listens, so no change after that is missed.
    const ConfigWatcher watcher({path, cfg->scores_file});
    http::ServerState state;
    if (const auto error = state.access_log.configure(cfg->log.access, cfg->log.access_content); !error.empty()) {
        daemon_log().fatal("not started: " + error);
        return EXIT_CANTCREAT;
    }
    SharedStateLink shared(state, metrics);
    try {
        shared.apply(*cfg);
    } catch (const std::exception &e) {
        daemon_log().fatal(std::string("not started: ") + e.what());
        return EXIT_CONFIG;
    }
    std::shared_ptr<boost::asio::ssl::context> tls;
    try {
        tls = tls_context_for(cfg->server);
    } catch (const std::exception &e) {
        daemon_log().fatal(std::string("not started: ") + e.what());
        return EXIT_CONFIG;
    }
    std::unique_ptr<http::EventServer> server;
    try {
        server = std::make_unique<http::EventServer>(cfg->server, holder, state, metrics, outbound, tls);
        server->start();
    } catch (const std::exception &e) {
        daemon_log().fatal("not started: cannot listen on " + cfg->server.listen_address + ":" +
                       std::to_string(cfg->server.port) + ": " + e.what());
        return EXIT_OSERR;
    }
    daemon_log().information("event loops: " + std::to_string(server->threads()));
    if (tls) daemon_log().information("HTTPS on the listener (server.tls)");
    daemon_log().information("listening on " + cfg->server.listen_address + ":" + std::to_string(server->port()));
    // From here on the Runtime holds the configuration, so that a reload that
    // replaces a plugin's file unloads the first build after its last call.
    cfg.reset();

    SystemdNotifier systemd;
    systemd.ready();
    const auto watchdog = systemd.watchdog_interval();
    const auto tick = watchdog.value_or(std::chrono::milliseconds(1000));
    for (;;) {
        const auto signal = wait_for_signal(tick);
        if (watchdog) systemd.watchdog_ping();
        if (!signal) continue;
        if (*signal == DaemonSignal::terminate) break;
        if (*signal == DaemonSignal::reload) {
            systemd.reloading();
            reload(holder, libraries, side_requests, metrics, state.access_log, *server, shared);
            systemd.ready();
        }
        if (*signal == DaemonSignal::reopen_logs) { // logrotate's postrotate (the daemon's own log is stderr)
            if (const auto error = state.access_log.reopen(); !error.empty())
                daemon_log().error(error + "; still writing to the file opened before");
            else
                daemon_log().information("access log reopened");
        }
    }

    systemd.stopping();
    daemon_log().information("stopping: draining requests in flight");
    state.draining = true;
    server->stop_accepting();
    const auto drain = holder.current()->config->server.drain_timeout;
    if (!http::wait_until_idle(state, drain))
        daemon_log().warning(std::to_string(state.in_flight.load()) + " requests still in flight after " +
                         std::to_string(drain.count()) + " ms; closing them");
    server.reset();
    daemon_log().information("stopped");
    return EXIT_OK;
}

} // namespace helix::app
