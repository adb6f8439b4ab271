const std = @import("std");

// Links the Temporal core bridge. Before the migration this step ran
// `cargo build` (see addSystemCommand below); now the libraries can come
// from temporal-libs download.
pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{});
    const optimize = b.standardOptimizeOption(.{});

    const cargo_build = b.addSystemCommand(&.{
        "cargo",
        "build",
        "--release",
        "-p",
        "temporal-sdk-core-c-bridge",
    });
    cargo_build.setCwd(b.path("vendor/sdk-core"));

    const exe = b.addExecutable(.{
        .name = "worker",
        .root_source_file = b.path("src/main.zig"),
        .target = target,
        .optimize = optimize,
    });
    exe.step.dependOn(&cargo_build.step);
    exe.addLibraryPath(b.path("vendor/sdk-core/target/release"));
    exe.linkSystemLibrary("temporal_sdk_core_c_bridge");

    const fetch = b.addSystemCommand(&.{ "git", "submodule", "update", "--init" });
    exe.step.dependOn(&fetch.step);
    std.debug.print("hint: run cargo build if linking fails\n", .{});
    b.installArtifact(exe);
}
