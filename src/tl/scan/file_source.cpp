#include "tl/scan/file_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <initializer_list>
#include <optional>

#include "tl/util/escape.hpp"
#include "tl/util/fs.hpp"
#include "tl/util/process.hpp"
#include "tl/util/strings.hpp"

namespace tl::scan {

namespace fs = std::filesystem;

namespace {

// Folders deeper than this are not entered: a walk of a real tree never gets
// near it, a pathological one (or a bind-mount loop) stops.
constexpr int k_max_walk_depth = 256;

// Runs git with stdin on /dev/null and its errors discarded, and collects its
// stdout. The arguments go to the program as they are: no shell parses the root
// path. Empty when git could not be run at all (not installed).
std::optional<util::CommandResult> run_git(const fs::path& root,
                                           std::initializer_list<std::string> args) {
    util::Command command;
    command.argv = {"git", "-C", root.string()};
    command.argv.insert(command.argv.end(), args);
    command.on_stderr_line = [](std::string_view) {};
    auto result = util::run_command(command);
    if (!result) {
        return std::nullopt;
    }
    return std::move(*result);
}

void walk(const fs::path& dir, const std::string& prefix, int depth, Listing& out) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) {
        out.skipped.push_back(
            SkippedFile{prefix.empty() ? "." : prefix, "cannot read folder: " + ec.message()});
        return;
    }
    const auto& skip = skipped_directories();
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        if (ec) {
            out.skipped.push_back(
                SkippedFile{prefix.empty() ? "." : prefix, "cannot read folder: " + ec.message()});
            return;
        }
        const fs::directory_entry& entry = *it;
        std::string name = entry.path().filename().string();
        std::string rel = prefix.empty() ? name : prefix + "/" + name;
        std::error_code sec;
        fs::file_status st = entry.symlink_status(sec);
        if (!sec && fs::is_directory(st)) {
            if (std::find(skip.begin(), skip.end(), name) != skip.end()) {
                continue;
            }
            if (depth + 1 >= k_max_walk_depth) {
                out.skipped.push_back(SkippedFile{rel, "folder nested too deep"});
                continue;
            }
            walk(entry.path(), rel, depth + 1, out);
            continue;
        }
        out.paths.push_back(std::move(rel));
    }
}

bool valid_utf8(std::string_view s, std::size_t& bad) {
    std::size_t i = 0;
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    while (i < s.size()) {
        // Build files are mostly ASCII: skip eight such bytes at a time.
        while (i + 8 <= s.size()) {
            std::uint64_t word;
            std::memcpy(&word, p + i, 8);
            if ((word & 0x8080808080808080ull) != 0) {
                break;
            }
            i += 8;
        }
        if (i >= s.size()) {
            break;
        }
        std::size_t len = util::utf8_sequence_length(s, i);
        if (len == 0) {
            bad = i;
            return false;
        }
        i += len;
    }
    return true;
}

}  // namespace

const std::vector<std::string>& skipped_directories() {
    static const std::vector<std::string> names = {
        "node_modules", "target", "vendor", ".git", ".temporal-libs-cache", ".hg", ".svn"};
    return names;
}

Result<Listing> list_files(const fs::path& root, UseGit use_git) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
        return fail(ErrorKind::not_found, "'" + root.string() + "' is not a folder");
    }
    Listing listing;
    if (use_git == UseGit::yes) {
        auto inside = run_git(root, {"rev-parse", "--is-inside-work-tree"});
        if (!inside) {
            listing.notes.push_back("git not found: walked the tree instead of git ls-files");
        } else if (inside->exit_code == 0 && util::trim(inside->out) == "true") {
            auto files = run_git(root, {"-c", "core.quotepath=off", "ls-files", "-z"});
            if (files && files->exit_code == 0) {
                listing.source = ListingSource::git;
                std::size_t pos = 0;
                while (pos < files->out.size()) {
                    std::size_t nul = files->out.find('\0', pos);
                    if (nul == std::string::npos) {
                        nul = files->out.size();
                    }
                    if (nul > pos) {
                        listing.paths.emplace_back(files->out.substr(pos, nul - pos));
                    }
                    pos = nul + 1;
                }
                // A merge conflict lists a path once per stage.
                std::sort(listing.paths.begin(), listing.paths.end());
                listing.paths.erase(std::unique(listing.paths.begin(), listing.paths.end()),
                                    listing.paths.end());
                if (!listing.paths.empty() || fs::is_empty(root, ec)) {
                    return listing;
                }
                // An untracked or ignored folder inside a checkout: git knows
                // nothing there, so look at what is on disk.
                listing.notes.push_back("git tracks no file here: walked the tree instead");
            } else {
                listing.notes.push_back("git ls-files failed (exit " +
                                        std::to_string(files ? files->exit_code : 127) +
                                        "): walked the tree instead");
            }
        }
    }
    listing.source = ListingSource::walk;
    walk(root, "", 0, listing);
    std::sort(listing.paths.begin(), listing.paths.end());
    return listing;
}

std::string read_prefix(const fs::path& path, std::size_t limit) {
    util::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (!fd) {
        return {};
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return {};
    }
    std::string out(limit, '\0');
    ssize_t n;
    do {
        n = ::read(fd.get(), out.data(), limit);
    } while (n < 0 && errno == EINTR);
    out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return out;
}

FileText read_text(const fs::path& path, std::uint64_t max_size) {
    FileText r;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        r.reason = std::string("cannot read: ") + std::strerror(errno);
        return r;
    }
    if (S_ISLNK(st.st_mode)) {
        r.reason = "symbolic link (not followed)";
        return r;
    }
    if (S_ISDIR(st.st_mode)) {
        r.reason = "a folder (a git submodule?)";
        return r;
    }
    if (!S_ISREG(st.st_mode)) {
        r.reason = "not a regular file";
        return r;
    }
    auto too_large = [&] {
        r.reason = "larger than the " + std::to_string(max_size) +
                   "-byte limit (raise --max-file-size to read it)";
    };
    if (static_cast<std::uint64_t>(st.st_size) > max_size) {
        too_large();
        return r;
    }
    util::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (!fd) {
        r.reason = std::string("cannot read: ") + std::strerror(errno);
        return r;
    }
    std::string text;
    text.reserve(static_cast<std::size_t>(st.st_size));
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            r.reason = std::string("cannot read: ") + std::strerror(errno);
            return r;
        }
        if (n == 0) {
            break;
        }
        text.append(buf, static_cast<std::size_t>(n));
        if (text.size() > max_size) {
            too_large();
            return r;
        }
    }
    auto starts = [&](std::string_view prefix) {
        return text.size() >= prefix.size() &&
               std::string_view(text).substr(0, prefix.size()) == prefix;
    };
    using namespace std::string_view_literals;
    if (starts("\xFF\xFE\x00\x00"sv) || starts("\x00\x00\xFE\xFF"sv)) {
        r.reason = "UTF-32 text (only UTF-8 is read)";
        return r;
    }
    if (starts("\xFF\xFE"sv) || starts("\xFE\xFF"sv)) {
        r.reason = "UTF-16 text (only UTF-8 is read)";
        return r;
    }
    if (text.find('\0') != std::string::npos) {
        // UTF-16 without a byte order mark has a NUL in every other byte.
        std::size_t even = 0;
        std::size_t odd = 0;
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (text[i] == '\0') {
                (i % 2 == 0 ? even : odd) += 1;
            }
        }
        std::size_t half = text.size() / 2;
        bool utf16 = half > 0 && (even * 10 >= half * 9 || odd * 10 >= half * 9);
        r.reason = utf16 ? "UTF-16 text without a byte order mark (only UTF-8 is read)"
                         : "binary file (contains NUL bytes)";
        return r;
    }
    if (starts("\xEF\xBB\xBF"sv)) {
        text.erase(0, 3);
    }
    std::size_t bad = 0;
    if (!valid_utf8(text, bad)) {
        std::size_t line =
            1 + static_cast<std::size_t>(std::count(
                    text.begin(), text.begin() + static_cast<std::ptrdiff_t>(bad), '\n'));
        r.reason = "not valid UTF-8 (line " + std::to_string(line) + "); only UTF-8 text is read";
        return r;
    }
    r.ok = true;
    r.text = std::move(text);
    return r;
}

}  // namespace tl::scan
