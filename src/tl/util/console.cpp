#include "tl/util/console.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "tl/util/progress_layout.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/strings.hpp"

namespace tl::util {

namespace {

// The current thread's Console::ThreadLabel, empty when none.
thread_local std::string t_label;

std::string labelled(std::string_view msg) {
    if (t_label.empty()) {
        return std::string(msg);
    }
    return t_label + ": " + std::string(msg);
}

// Fits a line that is being redrawn to the terminal's width (see fit_line).
void fit_to_terminal(std::FILE* err, std::string& line) {
    winsize ws{};
    if (::ioctl(::fileno(err), TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0) {
        return;
    }
    line = Console::fit_line(line, ws.ws_col);
}

bool continuation(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

}  // namespace

std::string Console::fit_line(std::string_view line, std::size_t width) {
    if (width == 0 || line.size() < width) {
        return std::string(line);
    }
    constexpr std::string_view k_gap = "...";
    const std::size_t room = width - 1;
    if (room <= k_gap.size() + 2) {
        std::size_t cut = room;
        while (cut > 0 && continuation(line[cut])) {
            --cut;
        }
        return std::string(line.substr(0, cut));
    }
    // Three fifths for the end, where the figures are; the rest for the start.
    std::size_t tail = (room - k_gap.size()) * 3 / 5;
    std::size_t head = room - k_gap.size() - tail;
    std::size_t from = line.size() - tail;
    while (from < line.size() && continuation(line[from])) {
        ++from;  // start the end part on a whole character
    }
    while (head > 0 && continuation(line[head])) {
        --head;  // and stop the start part before a partial one
    }
    return std::string(line.substr(0, head)) + std::string(k_gap) + std::string(line.substr(from));
}

std::size_t terminal_width(std::FILE* stream) {
    winsize ws{};
    if (::ioctl(::fileno(stream), TIOCGWINSZ, &ws) != 0) {
        return 0;
    }
    return ws.ws_col;
}

std::string compose_progress(const std::string& label, const std::string& bar,
                             const std::string& figures, const std::string& extras,
                             std::size_t width) {
    auto join = [&](bool with_bar, bool with_extras, const std::string& l) {
        return l + " " + (with_bar && !bar.empty() ? bar + " " : std::string()) + figures +
               (with_extras ? extras : std::string());
    };
    // One column stays free: a line that fills the terminal wraps and cannot
    // be redrawn in place.
    auto fits = [&](const std::string& line) { return width == 0 || line.size() < width; };
    for (auto [with_bar, with_extras] : {std::pair{true, true}, {false, true}, {false, false}}) {
        std::string line = join(with_bar, with_extras, label);
        if (fits(line)) {
            return line;
        }
    }
    // Only the label is left to shorten: its middle goes (fit_line keeps the
    // start and the end, whose line and which file).
    std::size_t fixed = join(false, false, "").size();
    if (width > fixed + 8) {
        return join(false, false, Console::fit_line(label, width - fixed));
    }
    return figures;
}

Console::ThreadLabel::ThreadLabel(std::string label) : m_outer(std::move(t_label)) {
    t_label = std::move(label);
}

Console::ThreadLabel::~ThreadLabel() {
    t_label = std::move(m_outer);
}

Console::Console(std::FILE* err) : m_err(err) {
    m_tty = ::isatty(::fileno(err)) != 0;
    const char* no_color = std::getenv("NO_COLOR");
    const char* term = std::getenv("TERM");
    m_color = m_tty && (no_color == nullptr || *no_color == '\0') &&
              !(term != nullptr && std::string_view(term) == "dumb");
}

void Console::clear_progress_locked() {
    if (m_progress_shown && m_tty) {
        std::fputs("\r\x1b[K", m_err);
    }
    m_progress_shown = false;
}

void Console::emit(std::string_view prefix, std::string_view msg) {
    std::string text = scrub(labelled(msg));
    std::lock_guard<std::mutex> lock(m_mutex);
    clear_progress_locked();
    std::fprintf(m_err, "%.*s%.*s\n", static_cast<int>(prefix.size()), prefix.data(),
                 static_cast<int>(text.size()), text.data());
    std::fflush(m_err);
}

void Console::info(std::string_view msg) {
    if (m_verbosity != Verbosity::quiet) {
        emit("", msg);
    }
}

void Console::debug(std::string_view msg) {
    if (m_verbosity == Verbosity::verbose) {
        emit("debug: ", msg);
    }
}

void Console::warn(std::string_view msg) {
    emit(m_color ? "temporal-libs: \x1b[1;33mwarning:\x1b[0m " : "temporal-libs: warning: ", msg);
}

void Console::error(std::string_view msg) {
    emit(m_color ? "temporal-libs: \x1b[1;31merror:\x1b[0m " : "temporal-libs: error: ", msg);
}

void Console::progress_line(std::string_view line, bool final_line) {
    if (m_verbosity == Verbosity::quiet) {
        return;
    }
    std::string text = scrub(labelled(line));
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_tty) {
        if (!final_line) {
            fit_to_terminal(m_err, text);
        }
        std::fprintf(m_err, "\r\x1b[K%s", text.c_str());
        m_progress_shown = !final_line;
        if (final_line) {
            std::fputc('\n', m_err);
        }
    } else {
        std::fprintf(m_err, "%s\n", text.c_str());
    }
    std::fflush(m_err);
}

Progress::Progress(Console& console, std::string label, std::uint64_t total,
                   std::chrono::seconds plain_interval)
    : m_console(console),
      m_label(std::move(label)),
      m_total(total),
      m_plain_interval(plain_interval),
      m_start(std::chrono::steady_clock::now()),
      m_last_print(m_start) {}

std::string Progress::render(std::uint64_t done, bool final_line) const {
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
    std::string bar;
    if (m_total > 0 && m_console.interactive()) {
        // A bar only where the line is redrawn; CI logs get plain figures.
        int filled = static_cast<int>(std::min<std::uint64_t>(done, m_total) * 24 / m_total);
        bar = "[" + std::string(static_cast<std::size_t>(filled), '#') +
              std::string(static_cast<std::size_t>(24 - filled), '.') + "]";
    }
    std::string figures = human_bytes(done);
    if (m_total > 0) {
        figures += " / " + human_bytes(m_total);
        int pct =
            static_cast<int>(static_cast<double>(done) * 100.0 / static_cast<double>(m_total));
        figures += " (" + std::to_string(pct) + "%)";
    }
    std::string extras;
    if (rate > 0) {
        extras += ", " + human_bytes(static_cast<std::uint64_t>(rate)) + "/s";
    }
    if (final_line) {
        extras += ", done in " + human_seconds(elapsed);
    } else if (m_total > done && rate > 0) {
        extras += ", " + human_seconds(static_cast<double>(m_total - done) / rate) + " left";
    }
    // The final line stays in the log as it is; a redrawn one fits the terminal.
    std::size_t width = final_line || !m_console.interactive() ? 0 : terminal_width(stderr);
    return compose_progress(m_label, bar, figures, extras, width);
}

void Progress::update(std::uint64_t done) {
    m_done = done;
    auto now = std::chrono::steady_clock::now();
    if (m_console.interactive()) {
        if (now - m_last_print >= std::chrono::milliseconds(100)) {
            m_last_print = now;
            m_console.progress_line(render(done, false), false);
        }
        return;
    }
    int decile = m_total > 0 ? static_cast<int>(done * 10 / m_total) : 0;
    if (now - m_last_print >= m_plain_interval || (decile > m_last_decile && decile < 10)) {
        m_last_print = now;
        m_last_decile = decile;
        m_console.progress_line(render(done, false), false);
    }
}

void Progress::finish() {
    if (m_finished) {
        return;
    }
    m_finished = true;
    m_console.progress_line(render(m_done, true), true);
}

}  // namespace tl::util
