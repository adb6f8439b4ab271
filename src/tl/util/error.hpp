#pragma once

// Errors in two layers (the ccache way): low-level code returns
// Expected<T, Failure>; command handlers throw tl::Error, caught once in main,
// which prints the message and exits with the code of its kind.

#include <stdexcept>
#include <string>

#include "tl/util/expected.hpp"

namespace tl {

// What went wrong, coarse enough to choose an exit code and a hint.
enum class ErrorKind {
    internal,    // a bug or an unexpected state: exit 1
    usage,       // bad flags, bad configuration, unsupported platform: exit 2
    not_found,   // release, asset or cache entry absent: exit 3
    network,     // connection, HTTP or rate-limit failure: exit 4
    integrity,   // checksum mismatch, missing checksum, hostile or wrong archive: exit 5
    filesystem,  // cache directory not writable, disk full: exit 6
    found,       // a check found problems (scan --fail-on-found, cache verify): exit 7
    build,       // an external build step (cargo, rustc) failed: exit 8
};

// The process exit code for a kind of failure; listed in `temporal-libs --help`.
int exit_code(ErrorKind kind);

// A short lower-case name for a kind ("network", "integrity"), used in --json output.
const char* kind_name(ErrorKind kind);

// A failure as data: what kind, and the message in ninja's tone (lower case, no
// trailing period, names quoted, the next step stated).
struct Failure {
    ErrorKind kind = ErrorKind::internal;
    std::string message;
};

template <typename T>
using Result = util::Expected<T, Failure>;

// Builds the error half of a Result.
inline util::Unexpected<Failure> fail(ErrorKind kind, std::string message) {
    return util::Unexpected<Failure>{Failure{kind, std::move(message)}};
}

// The one exception type: thrown by command handlers, caught in main.
class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), m_kind(kind) {}
    explicit Error(const Failure& f) : Error(f.kind, f.message) {}
    ErrorKind kind() const { return m_kind; }

private:
    ErrorKind m_kind;
};

// Returns the value of a Result or throws its failure as tl::Error.
template <typename T>
T value_or_throw(Result<T>&& r) {
    if (!r) {
        throw Error(r.error());
    }
    if constexpr (!std::is_void_v<T>) {
        return std::move(*r);
    }
}

}  // namespace tl
