#define BOOST_TEST_MODULE plugins_aws_bedrock_shared_config
#include <boost/test/unit_test.hpp>

#include "plugins/aws_bedrock/shared_config.hpp"

#include <helixagent/plugin.hpp>


using namespace helix::aws_bedrock;

namespace {

// "profile: k=v k=v" per profile, sorted, for one-string comparisons.
std::string dump(const Profiles &profiles) {
    std::string out;
    for (const auto &[name, values] : profiles) {
        out += "[" + name + "]";
        for (const auto &[k, v] : values) out += " " + k + "=" + v;
        out += "\n";
    }
    return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(credentials_file_sections_are_profiles_by_their_exact_name) {
    const Profiles p = parse_shared_file("[default]\n"
                                         "aws_access_key_id = AKID\n"
                                         "aws_secret_access_key=abc/def+ghi=\n"
                                         "\n"
                                         "[profile work]\n"
                                         "AWS_Session_Token =  tok en  \n",
                                         SharedFileKind::credentials);
    BOOST_TEST(dump(p) == "[default] aws_access_key_id=AKID aws_secret_access_key=abc/def+ghi=\n"
                          "[profile work] aws_session_token=tok en\n");
}

BOOST_AUTO_TEST_CASE(config_file_profiles_need_the_profile_prefix_except_default) {
    const Profiles p = parse_shared_file("[default]\nregion=us-east-1\n"
                                         "[profile dev]\nregion = eu-west-1\n"
                                         "[profile   \"quoted name\" ]\nregion = a\n"
                                         "[profile default]\noutput = json\n"
                                         "[sso-session corp]\nsso_region = us-east-1\n"
                                         "[services local]\nbedrock_runtime =\n  endpoint_url = http://x\n"
                                         "[plain]\nregion = ignored\n"
                                         "[profile]\nregion = ignored\n"
                                         "[profiledev]\nregion = ignored\n",
                                         SharedFileKind::config);
    BOOST_TEST(dump(p) == "[default] output=json region=us-east-1\n"
                          "[dev] region=eu-west-1\n"
                          "[quoted name] region=a\n");
}

BOOST_AUTO_TEST_CASE(comments_blank_lines_and_odd_lines) {
    const Profiles p = parse_shared_file("\xEF\xBB\xBF# leading comment\r\n"
                                         "orphan = before any section\r\n"
                                         "; another\r\n"
                                         "  [ default ]  # trailing comment\r\n"
                                         "key1 = value # comment\r\n"
                                         "key2 = value;not-a-comment\r\n"
                                         "key3 = a#b\r\n"
                                         "key4 = x\t;tab comment\r\n"
                                         "no equals sign here\r\n"
                                         "= no key\r\n"
                                         "key5 = \r\n"
                                         "key6 = a = b\r\n"
                                         "key1 = later wins\r\n"
                                         "[]\r\n"
                                         "ignored = 1\r\n"
                                         "[default]\r\n"
                                         "merged = yes",
                                         SharedFileKind::credentials);
    BOOST_TEST(dump(p) == "[default] key1=later wins key2=value;not-a-comment key3=a#b key4=x key6=a = b merged=yes\n");
}

BOOST_AUTO_TEST_CASE(empty_values_open_indented_sub_properties) {
    const Profiles p = parse_shared_file("[profile x]\n"
                                         "s3 =\n"
                                         "  max_concurrent_requests = 10\n"
                                         "\tsignature_version = s3v4\n"
                                         "region = us-west-2\n"
                                         "  indented = after a plain key\n",
                                         SharedFileKind::config);
    BOOST_TEST(dump(p) == "[x] indented=after a plain key region=us-west-2 s3.max_concurrent_requests=10 "
                          "s3.signature_version=s3v4\n");
}

BOOST_AUTO_TEST_CASE(profiles_merge_with_the_credentials_file_winning) {
    const Profiles credentials = parse_shared_file("[a]\naws_access_key_id = FROMCREDS\n", SharedFileKind::credentials);
    const Profiles config = parse_shared_file("[profile a]\naws_access_key_id = FROMCONFIG\nregion = r\n"
                                              "[profile b]\nregion = only-config\n",
                                              SharedFileKind::config);
    const auto a = merge_profile(&credentials, &config, "a");
    BOOST_TEST_REQUIRE(a.has_value());
    BOOST_TEST(a->at("aws_access_key_id") == "FROMCREDS");
    BOOST_TEST(a->at("region") == "r");
    BOOST_TEST(merge_profile(&credentials, &config, "b")->at("region") == "only-config");
    BOOST_TEST(!merge_profile(&credentials, &config, "c").has_value());
    BOOST_TEST(!merge_profile(nullptr, nullptr, "a").has_value());
}

BOOST_AUTO_TEST_CASE(sso_session_sections_are_read_apart_from_the_profiles) {
    const std::string text = "[profile dev]\nsso_session = corp\n"
                             "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"
                             "[sso-session \"other one\"]\nsso_region = us-east-1\n"
                             "[sso-sessioncorp]\nsso_region = ignored\n"
                             "[default]\nregion = x\n";
    BOOST_TEST(dump(parse_shared_file(text, SharedFileKind::sso_sessions)) ==
               "[corp] sso_region=eu-west-1 sso_start_url=https://corp.awsapps.com/start\n"
               "[other one] sso_region=us-east-1\n");
    BOOST_TEST(dump(parse_shared_file(text, SharedFileKind::config)) == "[default] region=x\n[dev] sso_session=corp\n");
}
