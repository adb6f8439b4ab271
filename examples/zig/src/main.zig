// Calls every function of the sample core bridge's C ABI once.
const std = @import("std");
const core = @cImport(@cInclude("temporal_sample_bridge.h"));

pub fn main() !void {
    var buf: [64]u8 = undefined;
    const n = core.temporal_core_greet("temporal", &buf, buf.len);
    if (n < 0) return error.GreetFailed;
    const sum = core.temporal_core_sum_on_thread(100);
    const added = core.temporal_core_add(40, 2);
    if (added != 42 or sum != 5050) return error.WrongResult;
    const version = std.mem.span(core.temporal_core_bridge_version());
    const greeting = buf[0..@as(usize, @intCast(n))];
    try std.io.getStdOut().writer().print("zig consumer of {s}: add={d} greet='{s}' sum={d}\n", .{ version, added, greeting, sum });
}
