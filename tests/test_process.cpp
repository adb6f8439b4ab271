// util::run_command: programs run with pipes, their output and exit codes.

#include <gtest/gtest.h>

#include "support/test_util.hpp"
#include "tl/util/process.hpp"

using namespace tl;
using namespace tl::testing;

TEST(Process, CollectsStdoutAndHandsOverStderrLines) {
    util::Command c;
    c.argv = {"sh", "-c", "printf 'out1\\nout2'; printf 'err1\\nerr2\\r\\nlast' >&2; exit 3"};
    std::vector<std::string> lines;
    c.on_stderr_line = [&](std::string_view l) { lines.emplace_back(l); };
    auto r = util::run_command(c);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->exit_code, 3);
    EXPECT_EQ(r->out, "out1\nout2");
    EXPECT_EQ(lines, (std::vector<std::string>{"err1", "err2", "last"}));
}

TEST(Process, WorkingDirectoryEnvironmentAndSignals) {
    TestDir dir;
    util::Command c;
    c.argv = {"sh", "-c", "pwd; echo \"$TL_PROCESS_TEST\"; echo \"${HOME:-unset}\""};
    c.cwd = dir.path();
    c.env = {{"TL_PROCESS_TEST", "set"}, {"HOME", std::nullopt}};
    auto r = util::run_command(c);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->out, fs::canonical(dir.path()).string() + "\nset\nunset\n");

    util::Command killed;
    killed.argv = {"sh", "-c", "kill -TERM $$"};
    auto k = util::run_command(killed);
    ASSERT_TRUE(k);
    EXPECT_EQ(k->exit_code, 128 + 15);
}

TEST(Process, MissingProgramIsNotFound) {
    util::Command c;
    c.argv = {"temporal-libs-no-such-program-here"};
    auto r = util::run_command(c);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::not_found);
    EXPECT_TRUE(r.error().message.find("'temporal-libs-no-such-program-here'") != std::string::npos)
        << r.error().message;
    EXPECT_FALSE(util::find_program("temporal-libs-no-such-program-here"));
    EXPECT_TRUE(util::find_program("sh"));
    EXPECT_EQ(util::shell_join({"cargo", "rustc", "-p", "a b", "it's"}),
              "cargo rustc -p 'a b' 'it'\\''s'");
}
