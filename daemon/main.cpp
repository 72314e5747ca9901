#include "daemon/app/daemon_app.hpp"

int main(int argc, char **argv) {
    helix::app::DaemonApp app;
    return app.run(argc, argv);
}
