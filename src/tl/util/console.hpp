#pragma once

// All human-facing output goes through Console: messages on stderr (stdout is
// kept for results and --json), scrubbed of secrets, with a progress line that
// is redrawn on a terminal and printed as plain lines in CI logs.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

namespace tl::util {

enum class Verbosity { quiet, normal, verbose };

class Console {
public:
    // Writes to `err`; terminal and colour detection look at that stream and NO_COLOR.
    explicit Console(std::FILE* err = stderr);

    void set_verbosity(Verbosity v) { m_verbosity = v; }
    Verbosity verbosity() const { return m_verbosity; }
    // True when stderr is a terminal (progress redraws in place).
    bool interactive() const { return m_tty; }
    // Overrides terminal detection (tests, --progress=plain).
    void set_interactive(bool tty) { m_tty = tty; }

    // A step the user should see ("downloading ..."); hidden by --quiet.
    void info(std::string_view msg);
    // Detail for --verbose only.
    void debug(std::string_view msg);
    // A warning, shown even with --quiet.
    void warn(std::string_view msg);
    // An error, shown even with --quiet.
    void error(std::string_view msg);

    // Replaces the current progress line (terminal) or prints it (plain).
    void progress_line(std::string_view line, bool final_line);

    // While one lives, every line the current thread writes (messages and
    // progress, on any Console) names whose work it is: "linux-x64: ...", after
    // the "warning:"/"error:" prefix. For work running in parallel; a nested
    // label replaces the outer one until it ends.
    class ThreadLabel {
    public:
        explicit ThreadLabel(std::string label);
        ~ThreadLabel();
        ThreadLabel(const ThreadLabel&) = delete;
        ThreadLabel& operator=(const ThreadLabel&) = delete;

    private:
        std::string m_outer;
    };

    // A progress line made to fit `width` columns less one (a wrapped line
    // cannot be erased for the next redraw): unchanged when it fits, else its
    // middle gives way to "..." so that the start (whose line it is) and the
    // end (the figures: done, rate, time left) stay. Never cuts a UTF-8 sequence.
    static std::string fit_line(std::string_view line, std::size_t width);

private:
    void emit(std::string_view prefix, std::string_view msg);
    void clear_progress_locked();

    std::FILE* m_err;
    std::mutex m_mutex;
    Verbosity m_verbosity = Verbosity::normal;
    bool m_tty = false;
    bool m_color = false;
    bool m_progress_shown = false;
};

// Progress of one transfer: bytes, total, rate and ETA. On a terminal it redraws
// at most ten times a second; in logs it prints a line every `plain_interval`
// or every 10 % of the total, whichever comes first.
class Progress {
public:
    Progress(Console& console, std::string label, std::uint64_t total,
             std::chrono::seconds plain_interval = std::chrono::seconds(5));
    // Reports the bytes done so far (absolute, not a delta).
    void update(std::uint64_t done);
    // Changes the expected total (learned late, e.g. from Content-Length).
    void set_total(std::uint64_t total) { m_total = total; }
    // Prints the final line once.
    void finish();

private:
    std::string render(std::uint64_t done, bool final_line) const;

    Console& m_console;
    std::string m_label;
    std::uint64_t m_total;
    std::chrono::seconds m_plain_interval;
    std::chrono::steady_clock::time_point m_start;
    std::chrono::steady_clock::time_point m_last_print;
    std::uint64_t m_done = 0;
    int m_last_decile = 0;
    bool m_finished = false;
};

}  // namespace tl::util
