#define BOOST_TEST_MODULE library_cache
#include <boost/test/unit_test.hpp>

// The LibraryCache loads each version of a plugin file once: the same file
// again is the same library, a file replaced on disk (renamed over, or
// written in place) is new code, also after a build the dynamic loader
// cannot unload (NODELETE) was loaded from the same path.

#include "daemon/plugins/plugin_library.hpp"
#include "daemon/router/runtime.hpp"

#include <filesystem>
#include <stdlib.h>
#include <sys/stat.h>

namespace fs = std::filesystem;
using helix::router::LibraryCache;

namespace {

std::string fixture(const std::string &name) { return std::string(FIXTURE_DIR) + "/" + name; }

ino_t inode_of(const fs::path &file) {
    struct stat st{};
    ::stat(file.c_str(), &st);
    return st.st_ino;
}

// A private plugin directory with room for one library.
struct PluginDir {
    fs::path dir;
    fs::path library;
    PluginDir() {
        std::string pattern = (fs::temp_directory_path() / "helix-cache-XXXXXX").string();
        dir = ::mkdtemp(pattern.data());
        ::chmod(dir.c_str(), 0755);
        library = dir / "libacme.so";
    }
    ~PluginDir() { fs::remove_all(dir); }

    // A package manager's way: a new file renamed over the old one.
    void install(const std::string &build) const {
        const fs::path fresh = library.string() + ".new";
        fs::copy_file(build, fresh, fs::copy_options::overwrite_existing);
        ::chmod(fresh.c_str(), 0755);
        fs::rename(fresh, library);
    }
    // Careless: the same inode rewritten.
    void overwrite(const std::string &build) const {
        fs::copy_file(build, library, fs::copy_options::overwrite_existing);
        ::chmod(library.c_str(), 0755);
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(an_unchanged_file_is_the_same_library) {
    PluginDir p;
    p.install(fixture("libacme.so"));
    LibraryCache cache;
    const auto first = cache.get(p.library.string());
    BOOST_TEST(first->version() == "1.0.0");
    BOOST_TEST((cache.get(p.library.string()) == first));
}

BOOST_AUTO_TEST_CASE(a_file_renamed_over_the_old_one_is_loaded_while_the_old_library_stays_usable) {
    PluginDir p;
    p.install(fixture("libacme.so"));
    LibraryCache cache;
    const auto old = cache.get(p.library.string());
    p.install(fixture("libacme_v2.so"));
    const auto next = cache.get(p.library.string());
    BOOST_TEST(next->version() == "2.0.0");
    BOOST_TEST((next != old));
    BOOST_TEST(old->version() == "1.0.0");
    BOOST_TEST(old->descriptor().prepare != next->descriptor().prepare, "both are one mapping");
    BOOST_TEST(next->path() == p.library.string());
}

BOOST_AUTO_TEST_CASE(a_file_rewritten_in_place_is_new_code_not_the_mapped_inode) {
    PluginDir p;
    p.install(fixture("libacme.so"));
    LibraryCache cache;
    const auto old = cache.get(p.library.string());
    const auto inode = inode_of(p.library);
    p.overwrite(fixture("libacme_v2.so")); // same inode: a loader keyed by inode would hand back build 1
    BOOST_TEST(inode_of(p.library) == inode);
    const auto next = cache.get(p.library.string());
    BOOST_TEST(next->version() == "2.0.0");
    BOOST_TEST(old->version() == "1.0.0");
}

BOOST_AUTO_TEST_CASE(a_build_the_loader_keeps_does_not_stand_in_for_the_next_one) {
    PluginDir p;
    LibraryCache cache;
    // Each round drops the library before loading the next, so descriptors
    // are freed and reused: a reused /proc/self/fd/N name would make dlopen
    // return the kept (NODELETE) build 1 instead of loading build 2.
    for (int round = 0; round < 3; ++round) {
        p.install(fixture("libacme_nodelete.so"));
        BOOST_TEST(cache.get(p.library.string())->version() == "1.0.0", "round " << round);
        p.install(fixture("libacme_v2.so"));
        BOOST_TEST(cache.get(p.library.string())->version() == "2.0.0", "round " << round);
    }
}
