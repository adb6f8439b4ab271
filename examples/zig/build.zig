// A Zig program linking Temporal's core from the temporal-libs cache, for
// Zig 0.11 (the build API of later versions differs: see
// docs/build-systems.md). Nothing is hard-coded: the libraries, their folder
// and the system libraries they need come from `temporal-libs flags --json`,
// which downloads the release first when it is not cached.
//
//   zig build run -Dtemporal-version=v1.0.2
//
// Options: -Dtemporal-version (default: the configured version),
// -Dtemporal-libraries=a,b (default: the configured set), -Dinclude=DIR (the C
// header's folder; default: the release's include/, else the sample core's).
// The tool is $TEMPORAL_LIBS, else temporal-libs on PATH.
const std = @import("std");

pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{});
    const optimize = b.standardOptimizeOption(.{});
    const exe = b.addExecutable(.{
        .name = "consumer",
        .root_source_file = .{ .path = "src/main.zig" },
        .target = target,
        .optimize = optimize,
    });
    linkTemporalCore(b, exe);
    b.installArtifact(exe);

    const run = b.addRunArtifact(exe);
    run.step.dependOn(b.getInstallStep());
    const run_step = b.step("run", "Build and run the consumer");
    run_step.dependOn(&run.step);
}

fn fail(comptime format: []const u8, args: anytype) noreturn {
    std.debug.print("error: " ++ format ++ "\n", args);
    std.process.exit(1);
}

// Asks the tool for the link information and adds it to `exe`.
fn linkTemporalCore(b: *std.Build, exe: *std.Build.Step.Compile) void {
    const version = b.option([]const u8, "temporal-version", "Release to link (tag, version or latest)");
    const libraries = b.option([]const u8, "temporal-libraries", "Comma-separated libraries to link");
    const include = b.option([]const u8, "include", "Folder of the C header");
    const tool = std.process.getEnvVarOwned(b.allocator, "TEMPORAL_LIBS") catch "temporal-libs";

    var argv = std.ArrayList([]const u8).init(b.allocator);
    argv.appendSlice(&.{ tool, "-q", "flags", "--json" }) catch @panic("OOM");
    if (version) |v| argv.appendSlice(&.{ "--version", v }) catch @panic("OOM");
    if (libraries) |l| argv.appendSlice(&.{ "--libraries", l }) catch @panic("OOM");

    const result = std.ChildProcess.exec(.{
        .allocator = b.allocator,
        .argv = argv.items,
        .max_output_bytes = 1 << 20,
    }) catch |err| fail("cannot run '{s}': {s}; install temporal-libs or set TEMPORAL_LIBS", .{ tool, @errorName(err) });
    // The tool's own message (what failed and what to run) goes to the user as is.
    std.io.getStdErr().writeAll(result.stderr) catch {};
    switch (result.term) {
        .Exited => |code| if (code != 0) fail("'temporal-libs flags' failed (exit {d}); nothing was linked", .{code}),
        else => fail("'temporal-libs flags' did not finish", .{}),
    }

    const parsed = std.json.parseFromSlice(std.json.Value, b.allocator, result.stdout, .{}) catch
        fail("'temporal-libs flags --json' printed no JSON document", .{});
    const info = parsed.value.object;
    const lib_dir = info.get("lib_dir").?.string;

    if (include) |dir| {
        exe.addIncludePath(.{ .path = dir });
    } else if (info.get("include_dir").?.string.len > 0) {
        exe.addIncludePath(.{ .path = info.get("include_dir").?.string });
    } else {
        exe.addIncludePath(.{ .path = "../sample-core/include" });
    }
    for (info.get("libraries").?.array.items) |name| {
        const file = std.fmt.allocPrint(b.allocator, "{s}/lib{s}.a", .{ lib_dir, name.string }) catch @panic("OOM");
        exe.addObjectFile(.{ .path = file });
    }
    // The system libraries Rust's standard library needs, as the release's
    // manifest lists them: -lgcc_s (the unwinder: Zig links its own libunwind
    // for it), -lpthread, -ldl, ...; on macOS -framework pairs.
    exe.linkLibC();
    const args = info.get("native_args").?.array.items;
    var i: usize = 0;
    while (i < args.len) : (i += 1) {
        const arg = args[i].string;
        if (std.mem.eql(u8, arg, "-framework") and i + 1 < args.len) {
            exe.linkFramework(args[i + 1].string);
            i += 1;
        } else if (std.mem.startsWith(u8, arg, "-l")) {
            exe.linkSystemLibrary(arg[2..]);
        } else {
            fail("cannot pass the link argument '{s}' from 'temporal-libs flags' to Zig", .{arg});
        }
    }
}
