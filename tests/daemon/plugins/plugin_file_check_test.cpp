#define BOOST_TEST_MODULE plugin_file_check
#include <boost/test/unit_test.hpp>

// A plugin library that others could replace is refused before it is
// loaded, at start and on every reload (LibraryCache checks at each get).

#include "daemon/router/runtime.hpp"
#include "daemon/plugins/plugin_file_check.hpp"
#include "daemon/plugins/plugin_library.hpp"

#include <filesystem>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
using helix::plugins::check_plugin_file;
using helix::plugins::PluginLoadError;

namespace {

struct PluginCopy {
    fs::path dir;
    fs::path library;
    PluginCopy() {
        std::string pattern = (fs::temp_directory_path() / "helix-plugin-XXXXXX").string();
        dir = ::mkdtemp(pattern.data());
        ::chmod(dir.c_str(), 0755);
        library = dir / "libhelix_plain_text.so";
        fs::copy_file(std::string(FIXTURE_DIR) + "/libhelix_plain_text.so", library);
        ::chmod(library.c_str(), 0644);
    }
    ~PluginCopy() { fs::remove_all(dir); }
};

std::string refusal(const fs::path &path) {
    try {
        check_plugin_file(path.string());
    } catch (const PluginLoadError &e) {
        return e.what();
    }
    return {};
}

} // namespace

BOOST_AUTO_TEST_CASE(a_library_writable_only_by_its_owner_passes) {
    PluginCopy p;
    BOOST_TEST(refusal(p.library).empty());
}

BOOST_AUTO_TEST_CASE(a_group_or_world_writable_library_is_refused_naming_it) {
    PluginCopy p;
    ::chmod(p.library.c_str(), 0664);
    const std::string group = refusal(p.library);
    BOOST_TEST(group.find(p.library.string()) == 0U, group);
    BOOST_TEST(group.find("writable by its group") != std::string::npos, group);
    ::chmod(p.library.c_str(), 0646);
    BOOST_TEST(refusal(p.library).find("writable by others") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_writable_plugin_directory_is_refused_naming_it) {
    PluginCopy p;
    ::chmod(p.dir.c_str(), 0777);
    const std::string text = refusal(p.library);
    BOOST_TEST(text.find("its directory " + p.dir.string() + " is writable by others") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(a_link_in_a_writable_plugin_directory_is_refused_though_its_target_is_safe) {
    PluginCopy p;
    PluginCopy links; // a second directory, for the plugin_dir that holds only a link
    fs::remove(links.library);
    fs::create_symlink(p.library, links.library);
    BOOST_TEST(refusal(links.library).empty()); // both directories are safe
    ::chmod(links.dir.c_str(), 0777);
    const std::string text = refusal(links.library);
    BOOST_TEST(text.find("its directory " + links.dir.string() + " is writable by others") != std::string::npos, text);
    BOOST_TEST(refusal(p.library).empty()); // the target itself still passes
}

BOOST_AUTO_TEST_CASE(a_library_owned_by_another_user_is_refused) {
    if (::geteuid() != 0) return; // only root can give a file away
    PluginCopy p;
    BOOST_TEST_REQUIRE(::chown(p.library.c_str(), 65534, 65534) == 0);
    BOOST_TEST(refusal(p.library).find("owned by uid 65534") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_check_is_made_again_when_a_loaded_library_is_asked_for_on_reload) {
    PluginCopy p;
    helix::router::LibraryCache cache;
    BOOST_TEST(cache.get(p.library.string()) != nullptr);
    ::chmod(p.library.c_str(), 0666);
    BOOST_CHECK_THROW(cache.get(p.library.string()), PluginLoadError);
}
