// The scan command end to end (the real binary): the wording of the text and
// Markdown reports, the JSON fields, exit codes for CI gates, and SARIF that
// validates against the SARIF 2.1.0 JSON schema.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_util.hpp"

using namespace tl::testing;

namespace {

fs::path fixture_copy(const TestDir& dir) {
    fs::path tree = dir / "repo";
    fs::copy(fs::path(TL_SOURCE_DIR) / "tests/data/scan/repo", tree, fs::copy_options::recursive);
    return tree;
}

ProcessResult scan(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {tool_path(), "scan"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv);
}

// Installs (once) and returns the SARIF validator: Ajv with the SARIF 2.1.0
// schema from the npm registry, pinned by tests/tools/sarif/package-lock.json.
// Fails the test when node, npm or the install is missing: no silent pass.
std::string sarif_validator() {
    fs::path dest = fs::path(tool_path()).parent_path() / "tools/sarif";
    auto r = run_process({"bash", (fs::path(TL_SOURCE_DIR) / "tests/tools/npm-install.sh").string(),
                          "sarif", dest.string()});
    EXPECT_EQ(r.exit_code, 0) << "cannot install the SARIF validator:\n" << r.out << r.err;
    return (dest / "validate.js").string();
}

// Validates several files in one run: compiling the schema is the slow part.
ProcessResult validate_sarif(const std::string& validator, const std::vector<fs::path>& files) {
    std::vector<std::string> argv = {"node", validator};
    for (const auto& f : files) {
        argv.push_back(f.string());
    }
    return run_process(argv);
}

}  // namespace

TEST(ScanReport, TextWording) {
    TestDir dir;
    fs::path tree = fixture_copy(dir);
    auto r = scan({"--no-git", tree.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.out,
                         "Dockerfile:16:5: error [rust-build] cargo build --release -p "
                         "temporal-sdk-core-c-bridge\n"
                         "    why: runs cargo or rustc, which needs a Rust toolchain in every job "
                         "and image; compiling sdk-core takes about 15 minutes where the prebuilt "
                         "libraries download in seconds\n"
                         "    instead: `RUN temporal-libs download` in the image (or copy the "
                         "libraries from a stage that ran it) and drop the Rust toolchain\n"))
        << r.out;
    EXPECT_TRUE(contains(r.out,
                         ".github/workflows/ci.yml:28:9: warning [build-dependency] uses: "
                         "arduino/setup-protoc@v3\n"
                         "    why: the protobuf compiler is needed only to compile sdk-core from "
                         "source\n"
                         "    instead: remove it together with the Rust toolchain\n"));
    EXPECT_TRUE(contains(r.out,
                         ".github/workflows/release.yml:32:11: allowed [rust-build] cargo rustc -p "
                         "temporal-sdk-core-c-bridge --crate-type staticlib --target ${{ "
                         "matrix.target }} --release\n"
                         "    allowed by: allow-rust comment at line 12: release job builds the "
                         "published libraries\n"));
    EXPECT_TRUE(contains(r.out,
                         "scripts/build-bridge.ts:4:35: error [retired-script] "
                         "'./run-with-rust-toolchain'\n"));
    EXPECT_TRUE(contains(r.out,
                         ".gitmodules:3:2: error [sdk-core-source] url = "
                         "https://github.com/temporalio/sdk-core.git\n"));
    EXPECT_TRUE(contains(r.out,
                         "\nscanned 26 build files of 28 listed (directory walk): 74 to "
                         "migrate (69 errors, 5 warnings), 7 allowed, 0 skipped\n"))
        << r.out;
    EXPECT_FALSE(contains(r.out, "README.md"));
    EXPECT_FALSE(contains(r.out, "docs/migration.md"));
}

TEST(ScanReport, MarkdownMigrationReport) {
    TestDir dir;
    fs::path tree = fixture_copy(dir);
    auto r = scan({"--no-git", "--format", "markdown", tree.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string& md = r.out;
    EXPECT_EQ(md.rfind("# Rust toolchain migration report\n\nScanned `", 0), 0u) << md;
    EXPECT_TRUE(contains(md,
                         "| To migrate | 74 (69 errors, 5 warnings) |\n"
                         "| Allowed to compile Rust | 7 |\n"
                         "| Build files found clean | 3 |\n"
                         "| Files skipped | 0 |\n"));
    EXPECT_TRUE(contains(md,
                         "### `Dockerfile` (Dockerfile)\n\n"
                         "| Line | Status | Kind | Command | Use instead |\n"
                         "|---:|---|---|---|---|\n"
                         "| 6:1 | **to migrate** (error) | toolchain-install | "
                         "`FROM rust:${RUST_VERSION}-bookworm AS bridge` |"));
    EXPECT_TRUE(contains(md,
                         "| 24:2 | allowed (allow-rust comment at line 22: run by the release "
                         "workflow to produce the published archives) | rust-build | "
                         "`cargo rustc -p temporal-sdk-core-c-bridge --crate-type staticlib "
                         "--release` | keep |\n"));
    EXPECT_TRUE(contains(md, "## Why these matter\n\n- **toolchain-install**: "));
    EXPECT_TRUE(contains(md,
                         "## Found clean\n\nThese build files were read and neither install "
                         "Rust nor run cargo:\n\n"
                         "- Dockerfile (1): `docker/Dockerfile.runtime`\n"
                         "- GitHub workflow (1): `.github/workflows/docs.yml`\n"
                         "- shell script (1): `scripts/dev-setup.sh`\n"));
    // A pipe inside a command must not break the table.
    EXPECT_TRUE(contains(md, "`curl https://sh.rustup.rs -sSf`"));
    // The summary also reaches the log.
    EXPECT_TRUE(contains(r.err, "74 to migrate"));

    // A finished migration says so; skipped files are listed.
    TestDir clean;
    write_file(clean / "Dockerfile", "FROM debian\nRUN temporal-libs download\n");
    write_file(clean / "bin.sh", std::string("\0\0cargo", 7));
    auto done = scan({"--no-git", "--format", "markdown", clean.path().string()});
    ASSERT_EQ(done.exit_code, 0);
    EXPECT_TRUE(contains(done.out,
                         "Nothing installs a Rust toolchain or runs cargo: the "
                         "migration is complete.\n"));
    EXPECT_TRUE(contains(done.out, "## Skipped\n\n- `bin.sh`: binary file (contains NUL bytes)\n"));
    EXPECT_TRUE(contains(done.out, "- Dockerfile (1): `Dockerfile`\n"));
}

TEST(ScanReport, JsonFields) {
    TestDir dir;
    fs::path tree = fixture_copy(dir);
    auto r = scan({"--no-git", "--format", "json", tree.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["format_version"], 1);
    EXPECT_EQ(doc["source"], "walk");
    EXPECT_EQ(doc["summary"]["files_listed"], 28);
    EXPECT_EQ(doc["summary"]["files_scanned"], 26);
    EXPECT_EQ(doc["summary"]["findings"], 81);
    EXPECT_EQ(doc["summary"]["remaining"], 74);
    EXPECT_EQ(doc["summary"]["allowed"], 7);
    ASSERT_EQ(doc["findings"].size(), 81u);
    const auto& first = doc["findings"][0];
    for (const char* key : {"path", "line", "column", "end_line", "kind", "severity", "status",
                            "file_type", "text", "why", "replacement"}) {
        EXPECT_TRUE(first.contains(key)) << key;
    }
    bool saw_multiline = false;
    for (const auto& f : doc["findings"]) {
        if (f["path"] == ".github/workflows/ci.yml" && f["line"] == 34) {
            EXPECT_EQ(f["end_line"], 36);  // one finding spanning its continuation lines
            EXPECT_EQ(f["text"],
                      "cargo build --release --target aarch64-unknown-linux-gnu -p "
                      "temporal-sdk-core-c-bridge");
            saw_multiline = true;
        }
        if (f["status"] == "allowed") {
            EXPECT_EQ(f["severity"], "info");
            EXPECT_FALSE(f["allowed_by"].get<std::string>().empty());
        }
    }
    EXPECT_TRUE(saw_multiline);
}

TEST(ScanReport, FailOnFoundGatesCi) {
    TestDir dir;
    fs::path tree = fixture_copy(dir);
    auto gated = scan({"--no-git", "--fail-on-found", tree.string()});
    EXPECT_EQ(gated.exit_code, 7);
    EXPECT_TRUE(contains(gated.err, "74 location(s) still install Rust or compile it"))
        << gated.err;
    EXPECT_TRUE(contains(gated.out, "74 to migrate"));  // the report is still printed

    EXPECT_EQ(scan({"--no-git", tree.string()}).exit_code, 0);

    // Only allowed findings left: the gate passes.
    TestDir allowed;
    write_file(allowed / "release.sh", "# temporal-libs: allow-rust-file\ncargo build\n");
    write_file(allowed / "ci.sh", "cargo test\n");
    EXPECT_EQ(scan({"--no-git", "--fail-on-found", allowed.path().string()}).exit_code, 7);
    auto listed =
        scan({"--no-git", "--fail-on-found", "--allow", "ci.sh", allowed.path().string()});
    EXPECT_EQ(listed.exit_code, 0) << listed.out << listed.err;
    EXPECT_TRUE(contains(listed.out,
                         "ci.sh:1:1: allowed [rust-build] cargo test\n"
                         "    allowed by: allow list: 'ci.sh'\n"));

    TestDir clean;
    write_file(clean / "build.sh", "make\n");
    EXPECT_EQ(scan({"--fail-on-found", clean.path().string()}).exit_code, 0);
}

TEST(ScanReport, UsageAndMissingPaths) {
    TestDir dir;
    auto missing = scan({(dir / "nope").string()});
    EXPECT_EQ(missing.exit_code, 3);
    EXPECT_TRUE(contains(missing.err, "cannot scan")) << missing.err;
    EXPECT_EQ(scan({"--format", "xml", dir.path().string()}).exit_code, 2);

    write_file(dir / "src/build.sh", "cargo build\n");
    fs::path out = dir / "report.md";
    auto r = scan({"--no-git", "--format", "markdown", "-o", out.string(), (dir / "src").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(r.out.empty());
    EXPECT_TRUE(contains(read_file(out), "`build.sh` (shell script)"));
}

TEST(ScanReport, SarifValidatesAgainstTheSchema) {
    const std::string validator = sarif_validator();
    ASSERT_FALSE(::testing::Test::HasFailure());
    TestDir dir;
    fs::path tree = fixture_copy(dir);
    // Skipped files become notifications; paths need URI escaping.
    write_file(tree / "bin.sh", std::string("\0cargo", 6));
    write_file(tree / "dir with space/build #1.sh", "cargo build\n");

    fs::path sarif = dir / "scan.sarif";
    auto r = scan({"--no-git", "--format", "sarif", "-o", sarif.string(), tree.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto doc = nlohmann::json::parse(read_file(sarif));
    EXPECT_EQ(doc["version"], "2.1.0");
    const auto& run = doc["runs"][0];
    EXPECT_EQ(run["tool"]["driver"]["name"], "temporal-libs");
    EXPECT_EQ(run["tool"]["driver"]["rules"].size(), 5u);
    EXPECT_EQ(run["results"].size(), 82u);
    EXPECT_EQ(run["columnKind"], "unicodeCodePoints");
    int suppressed = 0;
    bool escaped = false;
    for (const auto& res : run["results"]) {
        if (res.contains("suppressions")) {
            ++suppressed;
            EXPECT_EQ(res["level"], "note");
        }
        std::string uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
        escaped = escaped || uri == "dir%20with%20space/build%20%231.sh";
    }
    EXPECT_EQ(suppressed, 7);
    EXPECT_TRUE(escaped);
    EXPECT_EQ(run["invocations"][0]["toolExecutionNotifications"].size(), 1u);

    // An empty scan is valid SARIF too.
    TestDir empty;
    fs::path none = dir / "none.sarif";
    ASSERT_EQ(scan({"--no-git", "--format", "sarif", "-o", none.string(), empty.path().string()})
                  .exit_code,
              0);
    auto v = validate_sarif(validator, {sarif, none});
    EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
    EXPECT_TRUE(contains(v.out, "valid: " + sarif.string() + "\n")) << v.out;
    EXPECT_TRUE(contains(v.out, "valid: " + none.string() + "\n")) << v.out;
}

TEST(ScanReport, SarifValidatorRejectsInvalidDocuments) {
    // The validation above means something only if broken SARIF fails it.
    const std::string validator = sarif_validator();
    ASSERT_FALSE(::testing::Test::HasFailure());
    TestDir dir;
    TestDir tree;
    write_file(tree / "build.sh", "cargo build\n");
    auto r = scan({"--no-git", "--format", "sarif", tree.path().string()});
    ASSERT_EQ(r.exit_code, 0);
    const auto good = nlohmann::json::parse(r.out);

    std::vector<std::pair<std::string, nlohmann::json>> broken;
    auto doc = good;
    doc["runs"][0]["results"][0]["level"] = "fatal";
    broken.emplace_back("bad level", doc);
    doc = good;
    doc["runs"][0]["tool"]["driver"].erase("name");
    broken.emplace_back("no driver name", doc);
    doc = good;
    doc["runs"][0]["results"][0].erase("message");
    broken.emplace_back("no message", doc);
    doc = good;
    doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0;
    broken.emplace_back("line 0", doc);
    doc = good;
    doc["version"] = "2.0.0";
    broken.emplace_back("wrong version", doc);
    doc = good;
    doc["runs"][0]["unexpected"] = true;
    broken.emplace_back("unknown property", doc);

    std::vector<fs::path> files;
    for (const auto& [label, bad] : broken) {
        files.push_back(dir / (label + ".sarif"));
        write_file(files.back(), bad.dump(2));
    }
    fs::path ok = dir / "good.sarif";
    write_file(ok, good.dump(2));
    files.push_back(ok);
    auto v = validate_sarif(validator, files);
    EXPECT_EQ(v.exit_code, 1) << v.out << v.err;
    for (std::size_t i = 0; i + 1 < files.size(); ++i) {
        EXPECT_TRUE(contains(v.out, "invalid: " + files[i].string() + "\n"))
            << broken[i].first << ":\n"
            << v.out;
    }
    EXPECT_TRUE(contains(v.out, "\nvalid: " + ok.string() + "\n")) << v.out;
}
