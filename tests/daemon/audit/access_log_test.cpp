#define BOOST_TEST_MODULE access_log
#include <boost/test/unit_test.hpp>

#include "daemon/audit/access_log.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

using helix::audit::AccessLog;
using helix::audit::AccessRecord;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "helix-access-log-XXXXXX").string();
        path = mkdtemp(pattern.data());
    }
    ~TempDir() { fs::remove_all(path); }
};

std::vector<std::string> lines_of(const fs::path &file) {
    std::ifstream in(file);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

AccessRecord record(const std::string &id) {
    AccessRecord r;
    r.request_id = id;
    r.status = 200;
    return r;
}

} // namespace

BOOST_AUTO_TEST_CASE(off_writes_nothing_and_a_file_gets_one_line_per_record) {
    TempDir dir;
    AccessLog log;
    BOOST_TEST(!log.enabled());
    log.write(record("ignored"));
    const fs::path file = dir.path / "access.log";
    BOOST_TEST(log.configure(file.string(), false).empty());
    BOOST_TEST(log.enabled());
    log.write(record("a"));
    log.write(record("b"));
    const auto lines = lines_of(file);
    BOOST_TEST_REQUIRE(lines.size() == 2U);
    BOOST_TEST(boost::json::parse(lines[1]).at("request_id").as_string() == "b");
    BOOST_TEST(((fs::status(file).permissions() & fs::perms::others_read) == fs::perms::none));
}

BOOST_AUTO_TEST_CASE(reopen_follows_a_rotation) {
    TempDir dir;
    const fs::path file = dir.path / "access.log";
    AccessLog log;
    BOOST_TEST_REQUIRE(log.configure(file.string(), false).empty());
    log.write(record("before"));
    fs::rename(file, dir.path / "access.log.1"); // what logrotate does
    log.write(record("still-old"));               // the open file moved with its name
    BOOST_TEST(log.reopen().empty());
    log.write(record("after"));
    BOOST_TEST(lines_of(dir.path / "access.log.1").size() == 2U);
    const auto fresh = lines_of(file);
    BOOST_TEST_REQUIRE(fresh.size() == 1U);
    BOOST_TEST(boost::json::parse(fresh[0]).at("request_id").as_string() == "after");
}

BOOST_AUTO_TEST_CASE(configure_reopens_an_unchanged_file_and_switches_targets) {
    TempDir dir;
    const fs::path first = dir.path / "first.log";
    const fs::path second = dir.path / "second.log";
    AccessLog log;
    BOOST_TEST_REQUIRE(log.configure(first.string(), false).empty());
    fs::rename(first, dir.path / "first.log.1");
    BOOST_TEST(log.configure(first.string(), false).empty()); // a reload reopens
    log.write(record("x"));
    BOOST_TEST(lines_of(first).size() == 1U);
    BOOST_TEST(log.configure(second.string(), true).empty());
    BOOST_TEST(log.include_content());
    log.write(record("y"));
    BOOST_TEST(lines_of(second).size() == 1U);
    BOOST_TEST(lines_of(first).size() == 1U);
    BOOST_TEST(log.configure("off", false).empty());
    BOOST_TEST(!log.enabled());
}

BOOST_AUTO_TEST_CASE(a_file_that_cannot_be_opened_keeps_the_old_one) {
    TempDir dir;
    const fs::path good = dir.path / "good.log";
    AccessLog log;
    BOOST_TEST_REQUIRE(log.configure(good.string(), false).empty());
    const std::string error = log.configure((dir.path / "missing" / "x.log").string(), false);
    BOOST_TEST(error.find("cannot open access log") != std::string::npos, error);
    BOOST_TEST(error.find("No such file or directory") != std::string::npos, error);
    log.write(record("kept"));
    BOOST_TEST(lines_of(good).size() == 1U);
}

BOOST_AUTO_TEST_CASE(concurrent_writers_and_reopens_never_split_a_line) {
    TempDir dir;
    const fs::path file = dir.path / "access.log";
    AccessLog log;
    BOOST_TEST_REQUIRE(log.configure(file.string(), true).empty());
    constexpr int threads = 8;
    constexpr int per_thread = 500;
    std::vector<std::thread> writers;
    for (int t = 0; t < threads; ++t)
        writers.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                AccessRecord r = record(std::to_string(t) + "-" + std::to_string(i));
                r.completion = std::string(static_cast<std::size_t>(100 + i), 'z'); // lines of many sizes
                log.write(r);
            }
        });
    std::thread reopener([&] {
        for (int i = 0; i < 50; ++i) log.reopen();
    });
    for (auto &w : writers) w.join();
    reopener.join();
    const auto lines = lines_of(file);
    BOOST_TEST(lines.size() == static_cast<std::size_t>(threads * per_thread));
    for (const auto &line : lines) {
        boost::system::error_code error;
        boost::json::parse(line, error);
        BOOST_TEST_REQUIRE(!error, line.substr(0, 80));
    }
    BOOST_TEST(log.write_failures() == 0U);
}

BOOST_AUTO_TEST_CASE(a_failed_write_is_counted_not_thrown) {
    // /dev/full answers every write with ENOSPC, like a full disk.
    BOOST_TEST_REQUIRE(fs::exists("/dev/full"));
    AccessLog log;
    BOOST_TEST_REQUIRE(log.configure("/dev/full", false).empty());
    log.write(record("lost-1"));
    log.write(record("lost-2"));
    BOOST_TEST(log.write_failures() == 2U);
}
