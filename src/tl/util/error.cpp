#include "tl/util/error.hpp"

namespace tl {

int exit_code(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::internal:
            return 1;
        case ErrorKind::usage:
            return 2;
        case ErrorKind::not_found:
            return 3;
        case ErrorKind::network:
            return 4;
        case ErrorKind::integrity:
            return 5;
        case ErrorKind::filesystem:
            return 6;
        case ErrorKind::found:
            return 7;
        case ErrorKind::build:
            return 8;
    }
    return 1;
}

const char* kind_name(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::internal:
            return "internal";
        case ErrorKind::usage:
            return "usage";
        case ErrorKind::not_found:
            return "not_found";
        case ErrorKind::network:
            return "network";
        case ErrorKind::integrity:
            return "integrity";
        case ErrorKind::filesystem:
            return "filesystem";
        case ErrorKind::found:
            return "found";
        case ErrorKind::build:
            return "build";
    }
    return "internal";
}

}  // namespace tl
