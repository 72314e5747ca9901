#pragma once
// helixagentd's lifecycle: options, configuration, plugins, the HTTP server,
// and the signal loop (SIGHUP reload, SIGTERM drain, systemd notifications).

#include "daemon/router/runtime.hpp"
#include "daemon/audit/access_log.hpp"
#include "daemon/metrics/metrics.hpp"

#include <Poco/Util/ServerApplication.h>

#include <string>

namespace helix::http { class EventServer; }

namespace helix::app {

class DaemonApp final : public Poco::Util::ServerApplication {
protected:
    void defineOptions(Poco::Util::OptionSet &options) override;
    void handleOption(const std::string &name, const std::string &value) override;
    int main(const std::vector<std::string> &args) override;

private:
    void print_help() const;
    int check_config();
    int serve();
    void reload(router::RuntimeHolder &holder, router::LibraryCache &libraries,
                const std::shared_ptr<plugins::SideRequestClient> &side_requests, metrics::Metrics &metrics,
                audit::AccessLog &access_log, http::EventServer &server, class SharedStateLink &shared);
    std::string config_path() const;

    std::string config_path_;
    bool check_only_ = false;
    bool show_version_ = false;
    bool show_help_ = false;
};

} // namespace helix::app
