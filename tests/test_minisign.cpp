// Minisign signatures against Debian's `minisign` tool, in both directions.

#include <gtest/gtest.h>

#include "support/test_util.hpp"
#include "tl/trust/minisign.hpp"

using namespace tl;
using namespace tl::testing;
namespace ms = tl::trust::minisign;

namespace {

// A key pair made by `minisign -G`; unencrypted unless a password is given.
struct ToolKey {
    fs::path pub;
    fs::path sec;
};

ToolKey make_tool_key(const TestDir& dir, const std::string& name,
                      const std::string& password = "") {
    ToolKey k{dir / (name + ".pub"), dir / (name + ".key")};
    std::vector<std::string> argv = {"minisign", "-G", "-p", k.pub.string(), "-s", k.sec.string()};
    if (password.empty()) {
        argv.push_back("-W");
        auto r = run_process(argv);
        EXPECT_EQ(r.exit_code, 0) << r.err;
    } else {
        // minisign reads the password twice from standard input when it is not a terminal.
        write_file(dir / "pw.txt", password + "\n" + password + "\n");
        auto r = run_process({"sh", "-c",
                              "minisign -G -p '" + k.pub.string() + "' -s '" + k.sec.string() +
                                  "' < '" + (dir / "pw.txt").string() + "'"});
        EXPECT_EQ(r.exit_code, 0) << r.err;
    }
    return k;
}

ms::PublicKey public_key(const ToolKey& k) {
    auto pk = ms::parse_public_key(read_file(k.pub));
    EXPECT_TRUE(pk) << pk.error().message;
    return *pk;
}

ms::SecretKey secret_key(const ToolKey& k, const std::string& password = "") {
    auto sk =
        ms::parse_secret_key(read_file(k.sec), [&]() -> Result<std::string> { return password; });
    EXPECT_TRUE(sk) << sk.error().message;
    return *sk;
}

}  // namespace

TEST(Minisign, VerifiesWhatTheMinisignToolSigned) {
    TestDir dir;
    ToolKey k = make_tool_key(dir, "tool");
    fs::path file = dir / "SHA256SUMS";
    write_file(file, std::string(64, 'a') + "  x.tar.gz\n");
    for (bool legacy : {false, true}) {
        std::vector<std::string> argv = {"minisign", "-S",          "-s", k.sec.string(),
                                         "-m",       file.string(), "-t", "release v1.0.2"};
        if (legacy) {
            argv.push_back("-l");
        }
        auto r = run_process(argv);
        ASSERT_EQ(r.exit_code, 0) << r.err;
        std::string sig = read_file(file.string() + ".minisig");
        auto parsed = ms::parse_signature(sig);
        ASSERT_TRUE(parsed) << parsed.error().message;
        EXPECT_EQ(parsed->algorithm, legacy ? ms::Algorithm::legacy : ms::Algorithm::prehashed);
        EXPECT_EQ(parsed->trusted_comment, "release v1.0.2");
        auto who = ms::verify({public_key(k)}, read_file(file), sig);
        ASSERT_TRUE(who) << who.error().message;
        EXPECT_EQ(who->id, public_key(k).id);
        // The key id is shown the way minisign shows it in the key file's comment.
        EXPECT_TRUE(contains(read_file(k.pub), ms::key_id_hex(who->id))) << read_file(k.pub);
    }
}

TEST(Minisign, MinisignToolVerifiesWhatWeSigned) {
    TestDir dir;
    ToolKey k = make_tool_key(dir, "ours");
    ms::SecretKey sk = secret_key(k);
    // The public key we derive is the one minisign wrote.
    EXPECT_EQ(sk.public_key().base64(), public_key(k).base64());
    fs::path file = dir / "SHA256SUMS";
    write_file(file, std::string(64, 'b') + "  y.tar.gz\n");
    for (auto alg : {ms::Algorithm::prehashed, ms::Algorithm::legacy}) {
        write_file(file.string() + ".minisig",
                   ms::sign(sk, read_file(file), alg, "timestamp:0\tfile:SHA256SUMS", "test"));
        auto r = run_process({"minisign", "-V", "-p", k.pub.string(), "-m", file.string()});
        EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
        EXPECT_TRUE(contains(r.out, "timestamp:0")) << r.out;
        // And with the base64 key on the command line, as a consumer would.
        auto p = run_process({"minisign", "-V", "-P", public_key(k).base64(), "-m", file.string()});
        EXPECT_EQ(p.exit_code, 0) << p.err;
    }
    // minisign notices a file altered after we signed it.
    write_file(file, std::string(64, 'c') + "  y.tar.gz\n");
    auto bad = run_process({"minisign", "-V", "-p", k.pub.string(), "-m", file.string()});
    EXPECT_NE(bad.exit_code, 0);
}

TEST(Minisign, EncryptedToolKeyNeedsTheRightPassword) {
    TestDir dir;
    ToolKey k = make_tool_key(dir, "enc", "correct horse");
    ms::SecretKey sk = secret_key(k, "correct horse");
    EXPECT_EQ(sk.public_key().base64(), public_key(k).base64());
    auto wrong = ms::parse_secret_key(read_file(k.sec),
                                      []() -> Result<std::string> { return std::string("nope"); });
    ASSERT_FALSE(wrong);
    EXPECT_TRUE(contains(wrong.error().message, "wrong password")) << wrong.error().message;
}

TEST(Minisign, RejectsWrongKeyTamperedFileAndTamperedComment) {
    TestDir dir;
    ToolKey signer = make_tool_key(dir, "signer");
    ToolKey other = make_tool_key(dir, "other");
    ms::SecretKey sk = secret_key(signer);
    const std::string message = std::string(64, 'd') + "  z.tar.gz\n";
    const std::string sig = ms::sign(sk, message, ms::Algorithm::prehashed, "trusted", "u");

    auto wrong = ms::verify({public_key(other)}, message, sig);
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().kind, ErrorKind::integrity);
    EXPECT_TRUE(contains(wrong.error().message, ms::key_id_hex(sk.id))) << wrong.error().message;
    EXPECT_TRUE(contains(wrong.error().message, ms::key_id_hex(public_key(other).id)))
        << wrong.error().message;

    std::string tampered = message;
    tampered[0] = 'e';
    auto altered = ms::verify({public_key(signer)}, tampered, sig);
    ASSERT_FALSE(altered);
    EXPECT_TRUE(contains(altered.error().message, "does not match")) << altered.error().message;

    std::string comment_changed = sig;
    comment_changed.replace(comment_changed.find("trusted comment: trusted"),
                            std::string("trusted comment: trusted").size(),
                            "trusted comment: trustee");
    auto comment = ms::verify({public_key(signer)}, message, comment_changed);
    ASSERT_FALSE(comment);
    EXPECT_TRUE(contains(comment.error().message, "trusted comment")) << comment.error().message;

    // Either trusted key is enough.
    EXPECT_TRUE(ms::verify({public_key(other), public_key(signer)}, message, sig));
}

TEST(Minisign, ParsersRefuseMalformedInput) {
    EXPECT_FALSE(ms::parse_public_key(""));
    EXPECT_FALSE(ms::parse_public_key("RWnotbase64!!"));
    EXPECT_FALSE(ms::parse_public_key("untrusted comment: x\nAAAA\n"));
    EXPECT_FALSE(ms::parse_signature("untrusted comment: x\n"));
    EXPECT_FALSE(ms::parse_signature("a\nb\nc\nd\n"));
    auto no_password = [](void) -> Result<std::string> { return std::string(); };
    EXPECT_FALSE(ms::parse_secret_key("untrusted comment: x\nRWQAAEIy\n", no_password));
}
