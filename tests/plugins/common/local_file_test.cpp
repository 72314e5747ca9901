#define BOOST_TEST_MODULE plugins_common_local_file
#include <boost/test/unit_test.hpp>

#include "plugins/common/local_file.hpp"

#include <helixagent/plugin.hpp>

#include <filesystem>
#include <fstream>

using helix::plugin_common::read_local_file;

BOOST_AUTO_TEST_CASE(local_files_are_read_or_reported_without_their_contents) {
    const auto dir = std::filesystem::temp_directory_path() / "helix-local-file-test";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string file = (dir / "credentials").string();
    std::ofstream(file) << "[default]\naws_secret_access_key = TOPSECRET\n";
    BOOST_TEST(read_local_file(file, 1024, "shared credentials file").value() ==
               "[default]\naws_secret_access_key = TOPSECRET\n");
    BOOST_TEST(!read_local_file((dir / "missing").string(), 1024, "x").has_value());
    BOOST_TEST(!read_local_file((dir / "missing" / "deeper").string(), 1024, "x").has_value());
    try {
        read_local_file(file, 10, "shared credentials file");
        BOOST_FAIL("expected an error");
    } catch (const helix::sdk::Error &e) {
        BOOST_TEST(e.status() == HELIX_ERR_CONFIG);
        BOOST_TEST(std::string(e.what()).find("larger than 10 bytes") != std::string::npos);
        BOOST_TEST(std::string(e.what()).find("TOPSECRET") == std::string::npos);
    }
    BOOST_CHECK_THROW(read_local_file(dir.string(), 1024, "directory"), helix::sdk::Error);
    std::filesystem::remove_all(dir);
}
