#define BOOST_TEST_MODULE plugin_library
#include <boost/test/unit_test.hpp>

#include "daemon/plugins/plugin_library.hpp"

#include <filesystem>
#include <fstream>
#include <string>

using helix::plugins::PluginLibrary;
using helix::plugins::PluginLoadError;

namespace {

std::string fixture(const std::string &name) { return std::string(FIXTURE_DIR) + "/lib" + name + ".so"; }

// Loads path and returns the refusal's message; fails the test if it loads.
std::string refusal(const std::string &path) {
    try {
        PluginLibrary::load(path);
    } catch (const PluginLoadError &e) {
        return e.what();
    }
    BOOST_FAIL("expected " + path + " to be refused");
    return {};
}

bool contains(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

} // namespace

BOOST_AUTO_TEST_CASE(loads_a_good_plugin_and_copies_its_descriptor) {
    const auto library = PluginLibrary::load(fixture("helix_plain_text"));
    BOOST_TEST(library->name() == "plain_text");
    BOOST_TEST(library->version() == "1.0.0");
    BOOST_TEST(library->descriptor().abi_major == HELIX_ABI_MAJOR);
    BOOST_TEST(library->descriptor().struct_size == sizeof(helix_plugin_descriptor));
    BOOST_TEST(library->descriptor().validate_config != nullptr);
    BOOST_TEST(library->descriptor().health != nullptr);
}

BOOST_AUTO_TEST_CASE(refuses_an_abi_major_mismatch_naming_both_versions) {
    const std::string path = fixture("fixture_bad_major");
    const std::string message = refusal(path);
    BOOST_TEST(contains(message, path));
    BOOST_TEST(contains(message, "ABI major version mismatch"));
    BOOST_TEST(contains(message, "host expects 1.x"));
    BOOST_TEST(contains(message, "built for 2.0"));
}

BOOST_AUTO_TEST_CASE(refuses_a_short_descriptor_with_expected_and_found_sizes) {
    const std::string message = refusal(fixture("fixture_short_struct"));
    BOOST_TEST(contains(message, "descriptor too small"));
    BOOST_TEST(contains(message, "at least " + std::to_string(HELIX_DESCRIPTOR_MIN_SIZE_1_0)));
    BOOST_TEST(contains(message, "found 24"));
}

BOOST_AUTO_TEST_CASE(refuses_a_missing_required_function) {
    BOOST_TEST(contains(refusal(fixture("fixture_missing_prepare")), "lacks required function 'prepare'"));
}

BOOST_AUTO_TEST_CASE(refuses_a_plugin_that_needs_a_newer_minor) {
    const std::string message = refusal(fixture("fixture_newer_minor"));
    BOOST_TEST(contains(message, "plugin needs ABI 1.7"));
    BOOST_TEST(contains(message, "upgrade helixagentd"));
}

BOOST_AUTO_TEST_CASE(refuses_a_library_without_the_entry_point) {
    const std::string path = fixture("fixture_no_entry");
    const std::string message = refusal(path);
    BOOST_TEST(contains(message, path));
    BOOST_TEST(contains(message, "no entry point 'helix_plugin_entry'"));
}

BOOST_AUTO_TEST_CASE(refuses_a_file_that_is_not_a_shared_library) {
    const auto path = std::filesystem::temp_directory_path() / "helix_not_a_library.so";
    std::ofstream(path) << "this is text, not ELF\n";
    const std::string message = refusal(path.string());
    std::filesystem::remove(path);
    BOOST_TEST(contains(message, path.string()));
    BOOST_TEST(contains(message, "not a loadable shared library"));
}

BOOST_AUTO_TEST_CASE(refuses_a_missing_file) {
    BOOST_TEST(contains(refusal("/nonexistent/libnothing.so"), "no such plugin file"));
}
