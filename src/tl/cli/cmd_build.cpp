// `build`: the static libraries from source with cargo, for the publisher.

#include <cstdio>
#include <nlohmann/json.hpp>

#include "tl/cli/commands.hpp"
#include "tl/cli/session.hpp"
#include "tl/publish/build.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/strings.hpp"

namespace tl::cli {

namespace {

struct BuildFlags {
    std::string source = ".";
    std::string target;
    std::vector<std::string> crates;
    std::string out = "artifacts";
    std::string target_dir;
    std::string cargo;
    std::string source_repository;
    std::string source_revision;
    bool offline = false;
    bool json = false;
};

nlohmann::json result_json(const publish::BuildRecord& r, const std::string& out) {
    nlohmann::json crates = nlohmann::json::array();
    for (const auto& c : r.crates) {
        crates.push_back({{"crate", c.crate},
                          {"file", c.file},
                          {"path", c.path.string()},
                          {"size", c.size},
                          {"native_link_args", c.native_link_args}});
    }
    nlohmann::json j = {{"out", out},
                        {"target", r.target},
                        {"rustc", r.rustc},
                        {"cargo", r.cargo},
                        {"source_revision", r.source_revision},
                        {"crates", crates}};
    return j;
}

void run_build(Context& ctx, const BuildFlags& f) {
    {
        publish::BuildOptions o;
        o.source = f.source;
        o.target = f.target;
        o.crates = f.crates;
        o.out = f.out;
        o.target_dir = f.target_dir;
        o.cargo = f.cargo;
        o.network = f.offline ? publish::Network::offline : publish::Network::online;
        o.source_repository = f.source_repository;
        o.source_revision = f.source_revision;
        auto r = value_or_throw(publish::build_libraries(o, ctx.console));
        ctx.console.info("built " + std::to_string(r.crates.size()) + " libraries for " + r.target +
                         " into " + util::quoted(f.out));
        if (f.json) {
            print_json(ctx, result_json(r, f.out));
        } else {
            for (const auto& c : r.crates) {
                std::printf("%s\n", c.path.string().c_str());
            }
        }
    }
}

}  // namespace

void add_build_command(CLI::App& app, Context& ctx) {
    auto f = std::make_shared<BuildFlags>();
    CLI::App* cmd = add_command(
        app, "build",
        "Build the static libraries from source with cargo (publishers only)\n\n"
        "Runs, in the source workspace, for each crate:\n"
        "  cargo rustc -p <crate> --crate-type staticlib --target <triple> --release \\\n"
        "      -- --print native-static-libs\n"
        "copies each lib<crate>.a into the output directory and writes\n"
        "temporal-libs-build.json beside them (target, rustc, source revision and the\n"
        "native link arguments rustc printed), which 'temporal-libs pack' puts into the\n"
        "manifest. The default crates are the five the release contract names. Consumers\n"
        "never need this: they download what was built once.\n\n"
        "Examples:\n"
        "  temporal-libs build --source sdk-core --target x86_64-unknown-linux-gnu\n"
        "  temporal-libs build --source sdk-core --target aarch64-apple-darwin --out artifacts\n"
        "  temporal-libs build --source examples/sample-core --target x86_64-unknown-linux-gnu \\\n"
        "      --crate temporalio-sdk-core-c-bridge --offline --json",
        [&ctx, f] { run_build(ctx, *f); });
    cmd->add_option("--source", f->source, "The Cargo workspace to build (sdk-core's checkout)")
        ->capture_default_str();
    cmd->add_option("--target", f->target,
                    "Rust target triple: x86_64-unknown-linux-gnu, aarch64-unknown-linux-gnu, "
                    "aarch64-apple-darwin or x86_64-apple-darwin")
        ->required();
    cmd->add_option("--crate", f->crates,
                    "Crate to build (repeatable; default: the contract's five)");
    cmd->add_option("--out", f->out, "Directory for the lib*.a files and the build record")
        ->capture_default_str();
    cmd->add_option("--target-dir", f->target_dir,
                    "cargo's target directory (default: cargo's, usually <source>/target)");
    cmd->add_option("--cargo", f->cargo, "The cargo to run (default: cargo from PATH)");
    cmd->add_option("--source-repository", f->source_repository,
                    "Source repository URL to record (default: git remote of the source)");
    cmd->add_option("--source-revision", f->source_revision,
                    "Source commit to record (default: git rev-parse HEAD in the source)");
    cmd->add_flag("--offline", f->offline,
                  "Pass --offline to cargo (dependencies must already be vendored or fetched)");
    cmd->add_flag("--json", f->json, "Print one JSON object on stdout");
}

}  // namespace tl::cli
