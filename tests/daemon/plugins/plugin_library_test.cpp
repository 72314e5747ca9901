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
    BOOST_TEST(contains(message, "plugin refused this host, which speaks ABI 2.0 to 2.0"));
    BOOST_TEST(contains(message, "speaks ABI 3.0"));
}

BOOST_AUTO_TEST_CASE(refuses_a_short_descriptor_with_expected_and_found_sizes) {
    const std::string message = refusal(fixture("fixture_short_struct"));
    BOOST_TEST(contains(message, "descriptor too small"));
    BOOST_TEST(contains(message, "at least " + std::to_string(sizeof(helix_plugin_descriptor))));
    BOOST_TEST(contains(message, "found 24"));
}

BOOST_AUTO_TEST_CASE(refuses_a_missing_required_function) {
    BOOST_TEST(contains(refusal(fixture("fixture_missing_prepare")), "lacks required function 'prepare'"));
}

BOOST_AUTO_TEST_CASE(refuses_a_plugin_that_needs_a_newer_minor) {
    const std::string message = refusal(fixture("fixture_newer_minor"));
    BOOST_TEST(contains(message, "speaks ABI 2.7"));
    BOOST_TEST(contains(message, "the host offers 2.0 to 2.0"));
    BOOST_TEST(contains(message, "upgrade helixagentd"));
}

BOOST_AUTO_TEST_CASE(refuses_a_descriptor_of_another_version_than_negotiated) {
    const std::string message = refusal(fixture("fixture_lying_descriptor"));
    BOOST_TEST(contains(message, "plugin negotiated ABI 2.0 but its descriptor says 2.3"));
}

BOOST_AUTO_TEST_CASE(refuses_an_unset_thread_safety) {
    BOOST_TEST(contains(refusal(fixture("fixture_zero_thread_safety")), "unknown thread_safety 0 (unset)"));
}

BOOST_AUTO_TEST_CASE(refuses_a_library_without_the_entry_point) {
    const std::string path = fixture("fixture_no_entry");
    const std::string message = refusal(path);
    BOOST_TEST(contains(message, path));
    BOOST_TEST(contains(message, "no entry point 'helix_plugin_negotiate'"));
}

BOOST_AUTO_TEST_CASE(a_plugin_built_against_the_frozen_1_0_header_is_refused_naming_both_sides) {
    // abi_1_0_plugin.cpp includes tests/sdk/abi_1_0/plugin_abi_1_0.h, today's
    // copy of the 1.0 contract, and exports only the 1.0 entry point.
    const std::string path = fixture("fixture_abi_1_0_plugin");
    const std::string message = refusal(path);
    BOOST_TEST(contains(message, path));
    BOOST_TEST(contains(message, "plugin was built for ABI 1.0"));
    BOOST_TEST(contains(message, "this host speaks ABI 2.0 to 2.0"));
    BOOST_TEST(contains(message, "rebuild the plugin against the 2.x SDK"));
}

BOOST_AUTO_TEST_CASE(the_sdk_negotiates_the_hosts_range_and_says_which_side_wanted_what) {
    const auto library = PluginLibrary::load(fixture("helix_plain_text"));
    BOOST_TEST(library->descriptor().abi_minor == HELIX_ABI_MINOR);
    BOOST_TEST(library->descriptor().setting_count == 2u);
    BOOST_TEST(std::string(library->descriptor().settings[0]->name) == "base_url");
}

BOOST_AUTO_TEST_CASE(refuses_a_file_that_is_not_a_shared_library) {
    const auto path = std::filesystem::temp_directory_path() / "helix_not_a_library.so";
    std::ofstream(path) << "this is text, not ELF\n";
    const std::string message = refusal(path.string());
    std::filesystem::remove(path);
    BOOST_TEST(contains(message, path.string()));
    BOOST_TEST(contains(message, "not a loadable shared library"));
    BOOST_TEST(!contains(message, "/proc/self/fd/"), message); // the private copy's name means nothing to a reader
}

BOOST_AUTO_TEST_CASE(refuses_a_missing_file) {
    BOOST_TEST(contains(refusal("/nonexistent/libnothing.so"), "no such plugin file"));
}
