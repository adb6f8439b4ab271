// Sources tried in order. Once one has answered release() or latest(), the
// downloads of that release go to it too, so bytes, checksum files and the
// cache record all come from the one source that served the release.

#include "tl/release/contract.hpp"
#include "tl/release/tags.hpp"
#include "tl/source/source.hpp"
#include "tl/util/strings.hpp"

namespace tl::source {

namespace {

class SourceList : public Source {
public:
    SourceList(std::vector<std::unique_ptr<Source>> sources, util::Console& console)
        : m_sources(std::move(sources)), m_console(console) {}

    std::string name() const override {
        if (m_serving != nullptr) {
            return m_serving->name();
        }
        std::vector<std::string> names;
        for (const auto& s : m_sources) {
            names.push_back(s->name());
        }
        return util::join(names, ", then ");
    }

    Result<std::optional<ReleaseInfo>> release(const std::string& tag) override {
        return first_with("release " + util::quoted(tag),
                          [&](Source& s) { return s.release(tag); });
    }

    Result<std::optional<ReleaseInfo>> latest(const std::string& prefix) override {
        return first_with("no published release starting with " + util::quoted(prefix),
                          [&](Source& s) { return s.latest(prefix); });
    }

    Result<std::vector<std::string>> tags(const std::string& prefix, std::size_t limit) override {
        // Only used for messages: the first source with any tags answers, and an
        // empty list says "none found anywhere".
        for (const auto& s : m_sources) {
            if (auto r = s->tags(prefix, limit); r && !r->empty()) {
                return r;
            }
        }
        return std::vector<std::string>{};
    }

    Result<std::string> fetch_small(const AssetInfo& asset, std::size_t limit) override {
        return serving().fetch_small(asset, limit);
    }

    http::SendResult fetch(const AssetInfo& asset, const Resume& from,
                           http::BodySink& sink) override {
        return serving().fetch(asset, from, sink);
    }

    std::string rate_limit_advice() const override {
        return m_serving != nullptr ? m_serving->rate_limit_advice()
                                    : m_sources.front()->rate_limit_advice();
    }

private:
    Source& serving() { return m_serving != nullptr ? *m_serving : *m_sources.front(); }

    // Asks each source in turn; the first with an answer serves from then on.
    // `missing` words what a source lacks ("release 'x'").
    template <typename Ask>
    Result<std::optional<ReleaseInfo>> first_with(const std::string& missing, Ask ask) {
        std::vector<std::string> said;
        bool any_network = false;
        for (std::size_t i = 0; i < m_sources.size(); ++i) {
            Source& s = *m_sources[i];
            auto r = ask(s);
            if (r && *r) {
                m_serving = &s;
                if (i > 0) {
                    m_console.info("using " + s.name());
                }
                return r;
            }
            std::string what;
            if (!r) {
                what = r.error().message;
                any_network = any_network || r.error().kind == ErrorKind::network;
            } else {
                what = "has no " + missing;
                if (util::starts_with(missing, "no ")) {
                    what = missing;
                }
            }
            said.push_back(s.name() + ": " + what);
            if (i + 1 < m_sources.size()) {
                m_console.warn("source " + s.name() + ": " + what + "; trying " +
                               m_sources[i + 1]->name());
            }
        }
        std::string message =
            "no source could serve " +
            (util::starts_with(missing, "no ") ? std::string("the latest release") : missing) +
            ":\n  " + util::join(said, "\n  ");
        return fail(any_network ? ErrorKind::network : ErrorKind::not_found,
                    message + "\n(check the 'sources' setting or pass --source)");
    }

    std::vector<std::unique_ptr<Source>> m_sources;
    util::Console& m_console;
    Source* m_serving = nullptr;
};

// Where tags and asset names enter from any source, before any path is built
// from them: a release must be the one asked for and a library release, and
// assets whose names cannot be file names are dropped.
class CheckedSource : public Source {
public:
    CheckedSource(std::unique_ptr<Source> inner, util::Console& console)
        : m_inner(std::move(inner)), m_console(console) {}

    std::string name() const override { return m_inner->name(); }

    Result<std::optional<ReleaseInfo>> release(const std::string& tag) override {
        if (std::string why = release::library_tag_problem(tag); !why.empty()) {
            return fail(ErrorKind::usage,
                        "release " + util::quoted(tag) + " is not a library release: " + why);
        }
        return checked(m_inner->release(tag), tag);
    }

    Result<std::optional<ReleaseInfo>> latest(const std::string& prefix) override {
        return checked(m_inner->latest(prefix), {});
    }

    Result<std::vector<std::string>> tags(const std::string& prefix, std::size_t limit) override {
        auto r = m_inner->tags(prefix, limit);
        if (r) {
            std::erase_if(*r, [](const std::string& t) { return !release::is_library_tag(t); });
        }
        return r;
    }

    Result<std::string> fetch_small(const AssetInfo& asset, std::size_t limit) override {
        return m_inner->fetch_small(asset, limit);
    }

    http::SendResult fetch(const AssetInfo& asset, const Resume& from,
                           http::BodySink& sink) override {
        return m_inner->fetch(asset, from, sink);
    }

    std::string rate_limit_advice() const override { return m_inner->rate_limit_advice(); }

private:
    Result<std::optional<ReleaseInfo>> checked(Result<std::optional<ReleaseInfo>> r,
                                               const std::string& asked) {
        if (!r || !*r) {
            return r;
        }
        ReleaseInfo& info = **r;
        if (!asked.empty() && info.tag != asked) {
            return fail(ErrorKind::integrity, name() + " answered release " +
                                                  util::quoted(info.tag) + " when asked for " +
                                                  util::quoted(asked) + "; refusing it");
        }
        if (std::string why = release::library_tag_problem(info.tag); !why.empty()) {
            return fail(ErrorKind::integrity, name() + " answered release " +
                                                  util::quoted(info.tag) +
                                                  ", which cannot be a library release: " + why);
        }
        std::erase_if(info.assets, [&](const AssetInfo& a) {
            std::string why = release::asset_name_problem(a.name);
            if (why.empty()) {
                return false;
            }
            m_console.warn("ignoring asset " + util::quoted(a.name) + " of " +
                           util::quoted(info.tag) + " from " + name() + ": " + why);
            return true;
        });
        return r;
    }

    std::unique_ptr<Source> m_inner;
    util::Console& m_console;
};

}  // namespace

std::unique_ptr<Source> make_source_list(std::vector<std::unique_ptr<Source>> sources,
                                         util::Console& console) {
    if (sources.size() == 1) {
        // Nothing to choose between: the source itself, with its own messages.
        return std::make_unique<CheckedSource>(std::move(sources.front()), console);
    }
    return std::make_unique<CheckedSource>(
        std::make_unique<SourceList>(std::move(sources), console), console);
}

}  // namespace tl::source
