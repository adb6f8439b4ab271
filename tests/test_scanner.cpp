// scan_tree on real files: the fixture tree against its list of expected
// findings (precision and recall, both must be 1.0), in a plain folder and in
// a git checkout; the skip list; files that cannot or must not be read.

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "support/test_util.hpp"
#include "tl/scan/scanner.hpp"

using namespace tl;
using namespace tl::testing;

namespace {

using Key = std::tuple<std::string, int, int, std::string, std::string>;

fs::path fixture_root() {
    return fs::path(TL_SOURCE_DIR) / "tests/data/scan/repo";
}

std::set<Key> expected_findings() {
    auto doc =
        nlohmann::json::parse(read_file(fs::path(TL_SOURCE_DIR) / "tests/data/scan/expected.json"));
    std::set<Key> out;
    for (const auto& e : doc["findings"]) {
        out.emplace(e["file"].get<std::string>(), e["line"].get<int>(), e["column"].get<int>(),
                    e["kind"].get<std::string>(), e.value("status", "found"));
    }
    return out;
}

std::set<Key> found_keys(const scan::ScanReport& report) {
    std::set<Key> out;
    for (const auto& f : report.findings) {
        out.emplace(f.path, f.line, f.column, scan::kind_name(f.kind), scan::status_name(f.status));
    }
    return out;
}

std::string describe(const Key& k) {
    return std::get<0>(k) + ":" + std::to_string(std::get<1>(k)) + ":" +
           std::to_string(std::get<2>(k)) + " " + std::get<3>(k) + " (" + std::get<4>(k) + ")";
}

// Compares a scan with expected.json, prints precision and recall, and
// requires both to be 1.0.
void expect_exact(const scan::ScanReport& report, const std::string& label) {
    const std::set<Key> expected = expected_findings();
    const std::set<Key> found = found_keys(report);
    std::vector<Key> hits;
    std::set_intersection(found.begin(), found.end(), expected.begin(), expected.end(),
                          std::back_inserter(hits));
    double precision = found.empty() ? 1.0 : static_cast<double>(hits.size()) / found.size();
    double recall = expected.empty() ? 1.0 : static_cast<double>(hits.size()) / expected.size();
    std::printf("[ scan %s ] expected %zu, found %zu, correct %zu: precision %.3f, recall %.3f\n",
                label.c_str(), expected.size(), found.size(), hits.size(), precision, recall);
    for (const Key& k : expected) {
        EXPECT_TRUE(found.count(k)) << "missed: " << describe(k);
    }
    for (const Key& k : found) {
        EXPECT_TRUE(expected.count(k)) << "unexpected: " << describe(k);
    }
    EXPECT_EQ(precision, 1.0);
    EXPECT_EQ(recall, 1.0);
    EXPECT_EQ(report.findings.size(), found.size()) << "two findings share a location and kind";
}

// Copies the fixture tree and adds what must never be scanned: dependency,
// build and cache folders full of cargo.
void make_tree(const fs::path& dst) {
    fs::copy(fixture_root(), dst, fs::copy_options::recursive);
    write_file(dst / "node_modules/native-addon/build.sh", "cargo build --release\n");
    write_file(dst / "target/release/build/x/out/run.sh", "cargo test\n");
    write_file(dst / "vendor/sdk-core/Dockerfile", "FROM rust:1.80\nRUN cargo build\n");
    write_file(dst / ".temporal-libs-cache/tmp/Makefile", "all:\n\tcargo build\n");
    write_file(dst / "sub/.git/hooks/pre-commit.sh", "cargo fmt --check\n");
}

void git(const fs::path& dir, std::vector<std::string> args) {
    std::vector<std::string> argv = {"git",
                                     "-C",
                                     dir.string(),
                                     "-c",
                                     "user.name=scan test",
                                     "-c",
                                     "user.email=scan@example.invalid",
                                     "-c",
                                     "commit.gpgsign=false"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run_process(argv);
    ASSERT_EQ(r.exit_code, 0) << "git " << args[0] << ": " << r.err;
}

scan::ScanReport scan_ok(scan::ScanOptions options) {
    auto r = scan::scan_tree(options);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r ? std::move(*r) : scan::ScanReport{};
}

const scan::SkippedFile* skipped(const scan::ScanReport& r, const std::string& path) {
    for (const auto& s : r.skipped) {
        if (s.path == path) {
            return &s;
        }
    }
    return nullptr;
}

}  // namespace

TEST(Scanner, FixtureTreeByWalkingFindsExactlyTheExpected) {
    TestDir dir;
    fs::path tree = dir / "repo";
    make_tree(tree);
    scan::ScanOptions options;
    options.root = tree;
    options.use_git = scan::UseGit::no;
    scan::ScanReport report = scan_ok(options);
    EXPECT_EQ(report.source, scan::ListingSource::walk);
    expect_exact(report, "walk");
    EXPECT_TRUE(report.skipped.empty());
    // Clean build files are listed as scanned with no findings.
    auto expected =
        nlohmann::json::parse(read_file(fs::path(TL_SOURCE_DIR) / "tests/data/scan/expected.json"));
    for (const auto& path : expected["clean"]) {
        auto it = std::find_if(report.scanned.begin(), report.scanned.end(),
                               [&](const auto& s) { return s.path == path.get<std::string>(); });
        ASSERT_NE(it, report.scanned.end()) << path;
        EXPECT_EQ(it->findings, 0u) << path;
    }
    // Docs are not build files.
    for (const auto& s : report.scanned) {
        EXPECT_NE(s.path, "README.md");
        EXPECT_NE(s.path, "docs/migration.md");
    }
}

TEST(Scanner, FixtureTreeInAGitCheckoutScansWhatGitTracks) {
    TestDir dir;
    fs::path tree = dir / "repo";
    make_tree(tree);
    write_file(tree / ".gitignore", "node_modules/\ntarget/\nvendor/\n.temporal-libs-cache/\n");
    fs::remove_all(tree / "sub/.git");
    git(tree, {"init", "-q"});
    git(tree, {"add", "-A"});
    git(tree, {"commit", "-q", "-m", "fixture"});
    // Untracked files are not part of the checkout's build.
    write_file(tree / "scripts/untracked.sh", "cargo build\n");

    scan::ScanOptions options;
    options.root = tree;
    scan::ScanReport report = scan_ok(options);
    EXPECT_EQ(report.source, scan::ListingSource::git);
    expect_exact(report, "git");

    // A sub-folder of the checkout lists paths relative to itself.
    options.root = tree / "scripts";
    scan::ScanReport sub = scan_ok(options);
    EXPECT_EQ(sub.source, scan::ListingSource::git);
    std::set<std::string> paths;
    for (const auto& f : sub.findings) {
        paths.insert(f.path);
    }
    EXPECT_EQ(paths,
              (std::set<std::string>{"build-all.ts", "build-bridge.ts", "build-native.sh",
                                     "ci/bootstrap", "install-rust.ts", "release/build-libs.sh"}));
}

TEST(Scanner, GitGetsARootThatAShellWouldExpandAsItIs) {
    TestDir dir;
    // A shell would run the substitution and split the name at the ';'.
    fs::path tree = dir / "repo $(touch pwned) ;touch also-pwned";
    write_file(tree / "build.sh", "cargo build\n");
    git(tree, {"init", "-q"});
    git(tree, {"add", "-A"});
    git(tree, {"commit", "-q", "-m", "x"});
    scan::ScanOptions options;
    options.root = tree;
    scan::ScanReport report = scan_ok(options);
    EXPECT_EQ(report.source, scan::ListingSource::git);
    EXPECT_TRUE(report.notes.empty());
    ASSERT_EQ(report.findings.size(), 1u);
    EXPECT_EQ(report.findings[0].path, "build.sh");
    for (const char* name : {"pwned", "also-pwned"}) {
        EXPECT_FALSE(fs::exists(dir / name)) << name;
        EXPECT_FALSE(fs::exists(tree / name)) << name;
        EXPECT_FALSE(fs::exists(fs::current_path() / name)) << name;
    }
}

TEST(Scanner, GitModeScansTrackedDependencyFoldersAndNotesDeletedFiles) {
    TestDir dir;
    fs::path tree = dir / "repo";
    write_file(tree / "vendor/tool/build.sh", "cargo build\n");
    write_file(tree / "gone.sh", "echo hi\n");
    git(tree, {"init", "-q"});
    git(tree, {"add", "-A"});
    git(tree, {"commit", "-q", "-m", "x"});
    fs::remove(tree / "gone.sh");
    scan::ScanOptions options;
    options.root = tree;
    scan::ScanReport report = scan_ok(options);
    ASSERT_EQ(report.findings.size(), 1u);
    EXPECT_EQ(report.findings[0].path, "vendor/tool/build.sh");
    const auto* gone = skipped(report, "gone.sh");
    ASSERT_NE(gone, nullptr);
    EXPECT_NE(gone->reason.find("cannot read"), std::string::npos) << gone->reason;

    // An untracked folder of the checkout is walked instead, with a note.
    write_file(tree / "scratch/build.sh", "cargo test\n");
    options.root = tree / "scratch";
    scan::ScanReport scratch = scan_ok(options);
    EXPECT_EQ(scratch.source, scan::ListingSource::walk);
    ASSERT_EQ(scratch.findings.size(), 1u);
    ASSERT_EQ(scratch.notes.size(), 1u);
    EXPECT_EQ(scratch.notes[0], "git tracks no file here: walked the tree instead");
}

TEST(Scanner, WithoutGitOnThePathItWalksWithANote) {
    TestDir dir;
    fs::path tree = dir / "repo";
    write_file(tree / "build.sh", "cargo build\n");
    write_file(tree / "node_modules/x/build.sh", "cargo build\n");
    // Run the real binary with a PATH that has no git.
    auto r = run_process({tool_path(), "scan", "--format", "json", tree.string()},
                         {{"PATH", (dir / "empty-bin").string()}});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["source"], "walk");
    ASSERT_EQ(doc["findings"].size(), 1u);
    EXPECT_EQ(doc["findings"][0]["path"], "build.sh");
    ASSERT_EQ(doc["notes"].size(), 1u);
    EXPECT_NE(doc["notes"][0].get<std::string>().find("git not found"), std::string::npos);
}

TEST(Scanner, OddFilesAreSkippedWithANoteNeverACrash) {
    TestDir dir;
    fs::path tree = dir / "repo";
    const std::string cargo = "cargo build\n";
    write_file(tree / "ok.sh", cargo);
    write_file(tree / "binary.sh", std::string("cargo build\0\x01\x02", 15));
    write_file(tree / "huge.sh", std::string(2u << 20, '#') + "\n" + cargo);
    std::string utf16 = "\xFF\xFE";
    for (char c : cargo) {
        utf16.push_back(c);
        utf16.push_back('\0');
    }
    write_file(tree / "utf16.sh", utf16);
    write_file(tree / "utf16-no-bom.sh", utf16.substr(2));
    write_file(tree / "latin1.sh", "echo caf\xE9\n" + cargo);
    write_file(tree / "overlong.sh", "echo \xC0\xAF\n" + cargo);
    write_file(tree / "bom.sh", "\xEF\xBB\xBF" + cargo);
    write_file(tree / "crlf.sh", "cargo build \\\r\n  --release\r\necho done\r\n");
    write_file(tree / "empty.sh", "");
    write_file(tree / "package.json", "{\"scripts\": {\"build\": \"cargo build\"");
    write_file(tree / "target.txt", "not a build file\n");
    fs::create_symlink("ok.sh", tree / "link.sh");
    ASSERT_EQ(::mkfifo((tree / "fifo.sh").c_str(), 0644), 0);
    const bool root = ::geteuid() == 0;
    if (!root) {
        write_file(tree / "secret.sh", cargo);
        ::chmod((tree / "secret.sh").c_str(), 0);
    }

    scan::ScanOptions options;
    options.root = tree;
    options.use_git = scan::UseGit::no;
    scan::ScanReport report = scan_ok(options);

    auto reason = [&](const std::string& path) {
        const auto* s = skipped(report, path);
        return s == nullptr ? std::string("<not skipped>") : s->reason;
    };
    EXPECT_EQ(reason("binary.sh"), "binary file (contains NUL bytes)");
    EXPECT_EQ(reason("huge.sh"),
              "larger than the 1048576-byte limit (raise --max-file-size to read it)");
    EXPECT_EQ(reason("utf16.sh"), "UTF-16 text (only UTF-8 is read)");
    EXPECT_EQ(reason("utf16-no-bom.sh"),
              "UTF-16 text without a byte order mark (only UTF-8 is read)");
    EXPECT_EQ(reason("latin1.sh"), "not valid UTF-8 (line 1); only UTF-8 text is read");
    EXPECT_EQ(reason("overlong.sh"), "not valid UTF-8 (line 1); only UTF-8 text is read");
    EXPECT_EQ(reason("package.json"), "not valid JSON");
    EXPECT_EQ(reason("link.sh"), "symbolic link (not followed)");
    EXPECT_EQ(reason("fifo.sh"), "not a regular file");
    if (!root) {
        EXPECT_EQ(reason("secret.sh"), "cannot read: Permission denied");
        ::chmod((tree / "secret.sh").c_str(), 0644);
    }
    EXPECT_EQ(skipped(report, "target.txt"), nullptr);  // not a build file: not read at all
    EXPECT_EQ(report.skipped.size(), root ? 9u : 10u);

    // What could be read was scanned: a BOM and CRLF line ends change nothing.
    std::set<std::string> found;
    for (const auto& f : report.findings) {
        found.insert(f.path + ":" + std::to_string(f.line) + ":" + std::to_string(f.column));
    }
    EXPECT_EQ(found, (std::set<std::string>{"ok.sh:1:1", "bom.sh:1:1", "crlf.sh:1:1"}));

    // A larger limit reads the large file.
    options.max_file_size = 4u << 20;
    scan::ScanReport big = scan_ok(options);
    EXPECT_EQ(skipped(big, "huge.sh"), nullptr);
}

TEST(Scanner, UnreadableFolderIsANote) {
    if (::geteuid() == 0) {
        GTEST_SKIP() << "root reads every folder";
    }
    TestDir dir;
    fs::path tree = dir / "repo";
    write_file(tree / "closed/build.sh", "cargo build\n");
    write_file(tree / "open/build.sh", "cargo build\n");
    ::chmod((tree / "closed").c_str(), 0);
    scan::ScanOptions options;
    options.root = tree;
    options.use_git = scan::UseGit::no;
    scan::ScanReport report = scan_ok(options);
    ::chmod((tree / "closed").c_str(), 0755);
    ASSERT_EQ(report.findings.size(), 1u);
    ASSERT_NE(skipped(report, "closed"), nullptr);
}

TEST(Scanner, AllowGlobsAndSingleFiles) {
    TestDir dir;
    fs::path tree = dir / "repo";
    write_file(tree / ".github/workflows/release.yml",
               "jobs:\n  a:\n    steps:\n      - run: cargo build\n");
    write_file(tree / ".github/workflows/ci.yml",
               "jobs:\n  a:\n    steps:\n      - run: cargo test\n");
    write_file(tree / "tools/rust/build.sh", "cargo build\n");
    scan::ScanOptions options;
    options.root = tree;
    options.use_git = scan::UseGit::no;
    options.allow_globs = {".github/workflows/release*.yml", "tools/rust/"};
    scan::ScanReport report = scan_ok(options);
    ASSERT_EQ(report.findings.size(), 3u);
    EXPECT_EQ(report.remaining(), 1u);
    EXPECT_EQ(report.allowed(), 2u);
    for (const auto& f : report.findings) {
        if (f.path == ".github/workflows/ci.yml") {
            EXPECT_EQ(f.status, scan::Status::found);
        } else {
            EXPECT_EQ(f.status, scan::Status::allowed) << f.path;
            EXPECT_EQ(f.allowed_by.rfind("allow list: '", 0), 0u) << f.allowed_by;
        }
    }

    options.root = tree / "tools/rust/build.sh";
    options.allow_globs.clear();
    scan::ScanReport single = scan_ok(options);
    EXPECT_EQ(single.source, scan::ListingSource::file);
    ASSERT_EQ(single.findings.size(), 1u);
    EXPECT_EQ(single.findings[0].path, "build.sh");

    options.root = dir / "missing";
    auto missing = scan::scan_tree(options);
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().kind, ErrorKind::not_found);

    EXPECT_TRUE(scan::matches_glob("*.yml", ".github/workflows/a.yml"));
    EXPECT_TRUE(scan::matches_glob("./docker/", "docker/a/Dockerfile"));
    EXPECT_FALSE(scan::matches_glob("docker/", "dockerfiles/Dockerfile"));
    EXPECT_FALSE(scan::matches_glob("", "x"));
}

TEST(ScanText, SurvivesMutatedInput) {
    // Every fixture file, cut and spliced at random places and read as every
    // file type: the readers must return (findings or not), never crash or hang.
    std::vector<std::string> texts;
    for (const auto& e : fs::recursive_directory_iterator(fixture_root())) {
        if (e.is_regular_file()) {
            texts.push_back(read_file(e.path()));
        }
    }
    ASSERT_FALSE(texts.empty());
    const scan::FileType types[] = {
        scan::FileType::dockerfile,   scan::FileType::github_workflow, scan::FileType::gitlab_ci,
        scan::FileType::shell,        scan::FileType::makefile,        scan::FileType::justfile,
        scan::FileType::package_json, scan::FileType::javascript,      scan::FileType::zig_build,
        scan::FileType::cmake,        scan::FileType::devcontainer,    scan::FileType::gitmodules,
        scan::FileType::python};
    const char* splices[] = {"\\", "\"", "'",      "`",  "$(", "${",  "<<EOF", "|", "\n", "#",
                             "[",  "{",  "cargo ", "\t", "- ", ": |", "(",     ")", "*/", "/*"};
    std::uint32_t seed = 12345;
    auto rnd = [&](std::size_t n) {
        seed = seed * 1103515245u + 12345u;
        return n == 0 ? 0 : static_cast<std::size_t>((seed >> 8) % n);
    };
    std::size_t runs = 0;
    for (int iteration = 0; iteration < 1500; ++iteration) {
        std::string t = texts[rnd(texts.size())];
        for (int edits = 0; edits < 4; ++edits) {
            std::size_t at = rnd(t.size() + 1);
            switch (rnd(3)) {
                case 0:
                    t.insert(at, splices[rnd(std::size(splices))]);
                    break;
                case 1:
                    t.erase(at, rnd(40));
                    break;
                default:
                    t = t.substr(0, at);
                    break;
            }
        }
        for (auto type : types) {
            auto r = scan::scan_text("mutated", type, t);
            if (r) {
                for (const auto& f : *r) {
                    ASSERT_GE(f.line, 1);
                    ASSERT_GE(f.column, 1);
                    ASSERT_GE(f.end_line, f.line);
                }
            }
            ++runs;
        }
    }
    EXPECT_EQ(runs, 1500u * std::size(types));
}
