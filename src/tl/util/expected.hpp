#pragma once

// A small stand-in for C++23 std::expected: a value or an error, never both.
// Low-level code returns it so callers can tell "absent" from "broken" without
// exceptions; command handlers turn errors into tl::Error (see error.hpp).

#include <cassert>
#include <utility>
#include <variant>

namespace tl::util {

template <typename E>
struct Unexpected {
    E error;
};

// Wraps an error so it converts into any Expected<T, E>.
template <typename E>
Unexpected<std::decay_t<E>> unexpected(E&& e) {
    return Unexpected<std::decay_t<E>>{std::forward<E>(e)};
}

template <typename T, typename E>
class [[nodiscard]] Expected {
public:
    Expected(T value) : m_data(std::in_place_index<0>, std::move(value)) {}
    template <typename G>
    Expected(Unexpected<G> u) : m_data(std::in_place_index<1>, E(std::move(u.error))) {}

    bool has_value() const { return m_data.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T& value() & {
        assert(has_value());
        return std::get<0>(m_data);
    }
    const T& value() const& {
        assert(has_value());
        return std::get<0>(m_data);
    }
    T&& value() && {
        assert(has_value());
        return std::get<0>(std::move(m_data));
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    E& error() & {
        assert(!has_value());
        return std::get<1>(m_data);
    }
    const E& error() const& {
        assert(!has_value());
        return std::get<1>(m_data);
    }
    E&& error() && {
        assert(!has_value());
        return std::get<1>(std::move(m_data));
    }

private:
    std::variant<T, E> m_data;
};

// Expected<void, E>: success carries nothing.
template <typename E>
class [[nodiscard]] Expected<void, E> {
public:
    Expected() = default;
    template <typename G>
    Expected(Unexpected<G> u) : m_error(E(std::move(u.error))), m_ok(false) {}

    bool has_value() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    E& error() & { return m_error; }
    const E& error() const& { return m_error; }
    E&& error() && { return std::move(m_error); }

private:
    E m_error{};
    bool m_ok = true;
};

}  // namespace tl::util

// Error propagation without the three-line ceremony. In a function returning
// an Expected with the same error type:
//   TL_TRY(write_meta(path));               returns the failure, if any
//   TL_TRY_ASSIGN(text, read_file(path));   declares `text` (the Expected) and
//                                           returns its failure, if any; `*text`
//                                           is the value from then on
#define TL_TRY(expr)                                                       \
    do {                                                                   \
        if (auto tl_try_result_ = (expr); !tl_try_result_) {               \
            return ::tl::util::unexpected(std::move(tl_try_result_).error()); \
        }                                                                  \
    } while (false)

#define TL_TRY_ASSIGN(name, expr)                        \
    auto name = (expr);                                  \
    if (!name) {                                         \
        return ::tl::util::unexpected(std::move(name).error()); \
    }
