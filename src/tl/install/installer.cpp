#include "tl/install/installer.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "tl/archive/budget.hpp"
#include "tl/cache/notes.hpp"
#include "tl/install/downloader.hpp"
#include "tl/install/pipeline.hpp"
#include "tl/objfile/platform_check.hpp"
#include "tl/release/contract.hpp"
#include "tl/source/resolve.hpp"
#include "tl/trust/signed_sums.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"
#include "tl/verify/digests.hpp"

namespace tl::install {

namespace fs = std::filesystem;

Result<std::vector<verify::ExpectedDigest>> release_claims(source::Source& source,
                                                           const source::ReleaseInfo& release,
                                                           const source::AssetInfo& archive,
                                                           const platform::Platform& platform,
                                                           release::ArchiveFormat format) {
    std::vector<verify::ExpectedDigest> expected;
    for (const std::string& name : release::checksum_names(platform, release.tag, format)) {
        const source::AssetInfo* sidecar = release.find(name);
        if (sidecar == nullptr) {
            continue;
        }
        auto text = source.fetch_small(*sidecar, std::size_t{64} << 10);
        if (!text) {
            return util::unexpected(text.error());
        }
        auto digest = release::parse_checksum_file(*text, archive.name);
        if (!digest) {
            return fail(ErrorKind::integrity,
                        "checksum file " + util::quoted(name) + ": " + digest.error().message);
        }
        expected.push_back({"checksum file " + util::quoted(name), *digest});
    }
    if (!archive.reported_digest.empty()) {
        expected.push_back({"the digest " + source.name() + " reports", archive.reported_digest});
    }
    return expected;
}

Installer::Installer(const cache::Cache& cache, SourceFactory source, util::Console& console)
    : m_cache(cache), m_make_source(std::move(source)), m_console(console) {}

source::Source& Installer::source() {
    if (m_source == nullptr) {
        m_source = m_make_source ? m_make_source() : nullptr;
        if (m_source == nullptr) {
            throw Error(ErrorKind::internal, "no release source while online");
        }
    }
    return *m_source;
}

namespace {

std::vector<fs::path> library_paths(const fs::path& dir, const cache::EntryRecord& record) {
    std::vector<fs::path> libs;
    for (const auto& f : record.files) {
        if (release::is_library_file(f.path)) {
            libs.push_back(dir / f.path);
        }
    }
    std::sort(libs.begin(), libs.end());
    return libs;
}

InstallResult result_for(const fs::path& dir, const cache::EntryRecord& record, bool from_cache) {
    InstallResult r;
    r.tag = record.tag;
    r.platform = record.platform;
    r.dir = dir;
    r.libraries = library_paths(dir, record);
    r.archive_sha256 = record.archive_sha256;
    r.archive_name = record.archive_name;
    r.source = record.source;
    r.source_url = record.source_url;
    for (const auto& f : record.files) {
        if (release::is_library_file(f.path)) {
            r.library_sha256[f.path] = f.sha256;
        }
    }
    r.from_cache = from_cache;
    return r;
}

// What differs between an entry's files and the lockfile's pin; empty when
// they match (same archive digest, the same libraries with the same digests).
std::string lock_problem(const cache::EntryRecord& record, const trust::LockEntry& pin) {
    if (record.archive_sha256 != pin.archive_sha256) {
        return "its archive has sha256 " + record.archive_sha256 + ", the lock pins " +
               pin.archive_sha256;
    }
    std::map<std::string, std::string> libs;
    for (const auto& f : record.files) {
        if (release::is_library_file(f.path)) {
            libs[f.path] = f.sha256;
        }
    }
    for (const auto& [name, digest] : pin.libraries) {
        auto it = libs.find(name);
        if (it == libs.end()) {
            return "the locked library " + util::quoted(name) + " is missing";
        }
        if (it->second != digest) {
            return "library " + util::quoted(name) + " has sha256 " + it->second +
                   ", the lock pins " + digest;
        }
    }
    for (const auto& [name, digest] : libs) {
        if (pin.libraries.find(name) == pin.libraries.end()) {
            return "library " + util::quoted(name) + " is not in the lock";
        }
    }
    return {};
}

// "temporal-libs lock --version v1.0.2 --platform linux-x64": how to re-pin.
std::string repin_command(const std::string& tag, const std::string& platform) {
    return "temporal-libs lock --version " + release::version_label(tag) + " --platform " +
           platform;
}

std::string lock_name(const InstallOptions& options) {
    return util::quoted(options.lockfile_path.filename().string());
}

std::string platforms_in(const source::ReleaseInfo& release) {
    std::vector<std::string> found;
    for (const auto& a : release.assets) {
        if (auto parsed = release::parse_archive_name(a.name, release.tag)) {
            if (std::find(found.begin(), found.end(), parsed->platform) == found.end()) {
                found.push_back(parsed->platform);
            }
        }
    }
    return found.empty() ? std::string("none") : util::join(found, ", ");
}

}  // namespace

Result<InstallResult> Installer::from_cache_hit(const std::string& tag,
                                                const InstallOptions& options,
                                                const cache::EntryRecord& record) {
    (void)options;
    m_cache.record_use(tag, record.platform, cache::Cache::Use::hit);
    if (auto l = m_cache.update_latest(tag); !l) {
        m_console.warn(l.error().message);
    }
    if (auto a = m_cache.add_alias(tag); !a) {
        m_console.warn(a.error().message);
    }
    return result_for(m_cache.entry_dir(tag, record.platform), record, true);
}

Result<InstallResult> Installer::install(const InstallOptions& options) {
    const std::string plat = options.platform.name();
    std::string tag;
    std::optional<source::ReleaseInfo> release;
    if (release::is_latest(options.version)) {
        if (options.network == Network::offline) {
            auto latest = m_cache.latest_tag();
            if (!latest) {
                return fail(ErrorKind::not_found,
                            "--offline with version 'latest' needs '" +
                                (m_cache.root() / "latest").string() +
                                "', which does not exist; run once online or give a version");
            }
            tag = *latest;
        } else {
            TL_TRY_ASSIGN(found, source::resolve_release(source(), options.version, m_console))
            tag = found->tag;
            release = std::move(*found);
        }
    } else {
        tag = options.version;
    }

    const trust::LockEntry* pinned = options.lockfile ? options.lockfile->find(tag, plat) : nullptr;
    if (pinned == nullptr && options.lock_mode == LockMode::locked) {
        return fail(ErrorKind::not_found,
                    "--locked: '" + options.lockfile_path.string() +
                        (options.lockfile ? "' has no entry for "
                                          : "' does not exist, so it has no entry for ") +
                        util::quoted(tag) + " (" + plat + "); run '" + repin_command(tag, plat) +
                        "', review and commit the lockfile (or drop --locked to record it on first "
                        "use)");
    }
    auto result = [&]() -> Result<InstallResult> {
        if (options.force == Force::no) {
            cache::Lookup found = m_cache.lookup(tag, plat, options.verify);
            std::string differs;
            if (found.state == cache::Lookup::State::ok && pinned != nullptr) {
                differs = lock_problem(*found.record, *pinned);
            }
            if (found.state == cache::Lookup::State::ok && differs.empty()) {
                return from_cache_hit(tag, options, *found.record);
            }
            if (!differs.empty()) {
                if (options.network == Network::offline) {
                    return fail(
                        ErrorKind::integrity,
                        "the cached entry for " + util::quoted(tag) + " (" + plat +
                            ") is not the one " + lock_name(options) + " pins: " + differs +
                            "; it is not used, and --offline forbids fetching the locked one");
                }
                m_console.warn("the cached entry for " + util::quoted(tag) + " (" + plat +
                               ") is not the one " + lock_name(options) + " pins (" + differs +
                               "); fetching it again");
                found.state = cache::Lookup::State::absent;
            }
            if (options.network == Network::offline) {
                if (found.state == cache::Lookup::State::absent) {
                    return fail(
                        ErrorKind::not_found,
                        "no cached libraries for " + util::quoted(tag) + " (" + plat + ") in '" +
                            m_cache.root().string() +
                            "' and --offline forbids downloading; run once without --offline");
                }
                return fail(ErrorKind::integrity,
                            "the cached entry for " + util::quoted(tag) + " (" + plat +
                                ") is damaged: " + found.problem +
                                "; it cannot be fetched again with --offline");
            }
            if (found.state != cache::Lookup::State::absent) {
                m_console.warn("cached entry for " + util::quoted(tag) + " (" + plat +
                               ") is not usable: " + found.problem + "; fetching it again");
            }
        } else if (options.network == Network::offline) {
            return fail(ErrorKind::usage, "--force needs the network; drop --offline");
        }
        return fetch_and_install(tag, std::move(release), options, pinned);
    }();
    for (const auto& n : cache::take_notes()) {
        m_console.warn(n);
    }
    if (result && pinned == nullptr && options.lock_mode != LockMode::none) {
        TL_TRY(record_first_use(*result, options));
    }
    return result;
}

trust::LockEntry lock_entry_for(const InstallResult& result) {
    trust::LockEntry e;
    e.tag = result.tag;
    e.platform = result.platform;
    e.archive = result.archive_name;
    e.archive_sha256 = result.archive_sha256;
    e.libraries = result.library_sha256;
    e.source = result.source + (result.source_url.empty() ? "" : " " + result.source_url);
    e.first_seen = trust::utc_now();
    return e;
}

Result<void> Installer::record_first_use(const InstallResult& result,
                                         const InstallOptions& options) {
    trust::LockEntry entry = lock_entry_for(result);
    auto written = trust::update_lockfile(
        options.lockfile_path,
        [&](trust::Lockfile& lock) {
            if (lock.find(entry.tag, entry.platform) == nullptr) {
                lock.put(entry);
            }
        },
        m_cache.lockfile_guard_path());
    if (!written) {
        return util::unexpected(written.error());
    }
    m_console.info("recorded " + util::quoted(entry.tag) + " (" + entry.platform +
                   ", archive sha256 " + entry.archive_sha256 + ") in '" +
                   options.lockfile_path.string() +
                   "' (trust on first use); review and commit it so every build gets these "
                   "libraries");
    return {};
}

Result<InstallResult> Installer::fetch_and_install(const std::string& tag,
                                                   std::optional<source::ReleaseInfo> release,
                                                   const InstallOptions& options,
                                                   const trust::LockEntry* pinned) {
    const std::string plat = options.platform.name();
    TL_TRY(m_cache.ensure_layout());
    auto lock = m_cache.lock_entry(tag, plat, [&] {
        m_console.info("waiting for another temporal-libs process installing " + util::quoted(tag) +
                       " (" + plat + ")");
    });
    if (!lock) {
        return util::unexpected(lock.error());
    }
    // Another process may have installed it while we waited for the lock.
    if (options.force == Force::no) {
        cache::Lookup again = m_cache.lookup(tag, plat, options.verify);
        if (again.state == cache::Lookup::State::ok &&
            (pinned == nullptr || lock_problem(*again.record, *pinned).empty())) {
            return from_cache_hit(tag, options, *again.record);
        }
    }
    m_cache.remove_leftovers(tag, plat);
    m_cache.record_use(tag, plat, cache::Cache::Use::miss);

    if (!release) {
        TL_TRY_ASSIGN(found, source::resolve_release(source(), tag, m_console))
        release = std::move(*found);
    }

    // Prefer zstd where the release has it: it inflates several times faster.
    // With a pin, the locked archive and no other.
    const source::AssetInfo* archive = nullptr;
    release::ArchiveFormat format = release::ArchiveFormat::tar_gz;
    for (auto f : {release::ArchiveFormat::tar_zst, release::ArchiveFormat::tar_gz}) {
        const std::string name = release::archive_name(options.platform, tag, f);
        if (pinned != nullptr && name != pinned->archive) {
            continue;
        }
        if (const auto* a = release->find(name)) {
            archive = a;
            format = f;
            break;
        }
    }
    if (archive == nullptr && pinned != nullptr) {
        return fail(ErrorKind::integrity,
                    "asset " + util::quoted(pinned->archive) + " changed since it was locked: " +
                        lock_name(options) + " pins it (on " + pinned->first_seen + " from " +
                        pinned->source + ") but release " + util::quoted(tag) +
                        " no longer has it; nothing was installed; if the change is expected, "
                        "review it and run '" +
                        repin_command(tag, plat) + "' to re-pin");
    }
    if (archive == nullptr) {
        return fail(ErrorKind::not_found,
                    "release " + util::quoted(tag) + " has no archive for " + plat + " (expected " +
                        util::quoted(release::archive_name(options.platform, tag,
                                                           release::ArchiveFormat::tar_gz)) +
                        "); platforms it has: " + platforms_in(*release));
    }
    if (!archive->complete) {
        return fail(ErrorKind::not_found, "asset " + util::quoted(archive->name) +
                                              " is still being uploaded; try again shortly");
    }

    // Everything that claims to know the archive's digest must agree: the
    // release's checksum files, the source's digest, the signed SHA256SUMS and
    // the lockfile's pin. With checksums switched off only the pin is compared.
    const bool claims_wanted = options.checksums == Checksums::verify;
    const bool compare = claims_wanted || pinned != nullptr;
    std::vector<verify::ExpectedDigest> expected;
    if (claims_wanted) {
        TL_TRY_ASSIGN(claims,
                      release_claims(source(), *release, *archive, options.platform, format))
        expected = std::move(*claims);
        TL_TRY_ASSIGN(sums,
                      trust::sums_claim(source(), *release, archive->name, options.public_keys))
        if (*sums) {
            expected.push_back(std::move(**sums));
        }
    }
    if (pinned != nullptr) {
        verify::ExpectedDigest pin(options.lockfile_path.filename().string(),
                                   pinned->archive_sha256, verify::Authority::pin);
        pin.pinned_detail = "on " + pinned->first_seen + " from " + pinned->source;
        pin.repin_hint = "run '" + repin_command(tag, plat) + "' to re-pin";
        expected.push_back(std::move(pin));
    }
    Result<std::string> want = std::string();
    if (compare) {
        want = verify::agreed_digest(expected, archive->name);
        if (!want) {
            return util::unexpected(want.error());
        }
    }

    auto unpacked =
        obtain(tag, *archive, format, expected, compare ? *want : std::string(), options);
    if (!unpacked) {
        return util::unexpected(unpacked.error());
    }
    if (auto ok = check_contents(tag, archive->name, unpacked->contents, options); !ok) {
        util::remove_tree(unpacked->staging);
        return util::unexpected(ok.error());
    }
    cache::EntryRecord record;
    record.tag = tag;
    record.platform = plat;
    record.source = source().name();
    record.source_url = archive->display_url;
    record.archive_name = archive->name;
    record.archive_sha256 = unpacked->sha256;
    record.archive_size = archive->size;
    record.installed_at = static_cast<std::int64_t>(std::time(nullptr));
    record.files = cache::file_records(unpacked->contents.files);
    if (pinned != nullptr) {
        if (std::string differs = lock_problem(record, *pinned); !differs.empty()) {
            util::remove_tree(unpacked->staging);
            return fail(ErrorKind::integrity, "archive " + util::quoted(archive->name) +
                                                  " does not hold what " + lock_name(options) +
                                                  " pins: " + differs + "; nothing was installed");
        }
    }
    auto dir = m_cache.install(unpacked->staging, record);
    if (!dir) {
        util::remove_tree(unpacked->staging);
        return util::unexpected(dir.error());
    }
    if (auto l = m_cache.update_latest(tag); !l) {
        m_console.warn(l.error().message);
    }
    if (auto a = m_cache.add_alias(tag); !a) {
        m_console.warn(a.error().message);
    }
    return result_for(*dir, record, false);
}

Result<Installer::Unpacked> Installer::obtain(const std::string& tag,
                                              const source::AssetInfo& archive,
                                              release::ArchiveFormat format,
                                              const std::vector<verify::ExpectedDigest>& expected,
                                              std::string want, const InstallOptions& options) {
    const std::string plat = options.platform.name();
    const bool compare = !want.empty();
    const archive::Codec codec = codec_of(format);
    const std::string ext(release::extension(format));
    // What extraction may write before the digest is known is bounded by the
    // archive's declared size.
    archive::Limits limits = options.limits;
    limits.max_total_size = archive::extraction_budget(options.limits, archive.size,
                                                       archive::budget().max_expansion_ratio);
    TL_TRY_ASSIGN(staging, m_cache.make_staging(tag, plat))
    // Nothing is left behind on failure: not the staging directory, not an
    // archive that turned out to be unusable.
    auto give_up = [&](const Failure& f, const fs::path& kept) -> Result<Unpacked> {
        util::remove_tree(*staging);
        if (!kept.empty() && f.kind == ErrorKind::integrity) {
            // A verified archive that is still unusable must not be reused.
            ::unlink(kept.c_str());
        }
        return util::unexpected(f);
    };

    // Reuse a kept archive (a reinstall needs no network): it is hashed and
    // extracted in the same pass. Kept archives are named by digest, so without
    // an expected one there is nothing to look up.
    if (compare) {
        fs::path kept = m_cache.archive_path(want, ext);
        if (fs::exists(kept)) {
            Unpacker unpacker(codec, *staging, limits);
            auto digest = feed_file(kept, unpacker);
            UnpackOutcome outcome = unpacker.finish();
            if (digest && *digest == want) {
                m_console.info("using kept archive " + util::quoted(archive.name));
                m_console.info("verified " + util::quoted(archive.name) + " sha256 " + want);
                auto files = settle(std::move(outcome), codec, kept, *staging, limits, m_console);
                if (!files) {
                    return give_up(files.error(), kept);
                }
                return Unpacked{want, *staging, std::move(*files)};
            }
            ::unlink(kept.c_str());
            empty_directory(*staging);
        }
    }

    fs::path partial = m_cache.partial_path(archive.name);
    m_console.info("downloading " + util::quoted(archive.name) + " (" +
                   util::human_bytes(archive.size) + ") from " + source().name());
    // One pass: the bytes are hashed, appended to the partial file and extracted
    // into staging while they arrive. A corrupted download is fetched once more
    // before giving up (R9).
    UnpackOutcome outcome;
    for (int round = 1;; ++round) {
        Unpacker unpacker(codec, *staging, limits);
        auto got = download_to_partial(*m_source, archive, partial, options.retry, m_console,
                                       &unpacker, options.connections);
        if (!got) {
            unpacker.cancel();
            return give_up(got.error(), {});
        }
        outcome = unpacker.finish();
        if (!compare) {
            m_console.warn("checksum verification is off: " + util::quoted(archive.name) +
                           " (sha256 " + got->sha256 + ") was not compared with the " +
                           "release's checksums");
            want = got->sha256;
            break;
        }
        if (got->sha256 == want) {
            break;
        }
        discard_partial(partial);
        empty_directory(*staging);
        std::string msg = verify::mismatch_message(archive.name, got->sha256, expected);
        if (round >= 2) {
            return give_up(Failure{ErrorKind::integrity,
                                   msg + "; downloaded twice with the same result, nothing was "
                                         "installed (the release asset or its checksum is wrong: "
                                         "tell its publisher)"},
                           {});
        }
        m_console.warn(msg + "; downloading it once more");
    }
    m_cache.record_use(tag, plat, cache::Cache::Use::download);
    fs::path kept = m_cache.archive_path(want, ext);
    if (::rename(partial.c_str(), kept.c_str()) != 0) {
        return give_up(
            Failure{ErrorKind::filesystem, "cannot move '" + partial.string() + "' to '" +
                                               kept.string() + "': " + std::strerror(errno)},
            {});
    }
    discard_partial(partial);
    if (compare) {
        m_console.info("verified " + util::quoted(archive.name) + " sha256 " + want);
    }
    auto files = settle(std::move(outcome), codec, kept, *staging, limits, m_console);
    if (!files) {
        return give_up(files.error(), kept);
    }
    return Unpacked{want, *staging, std::move(*files)};
}

// "'liba.a', 'libb.a'" (or "no libraries"): the libraries an archive holds.
static std::string library_list(const Extracted& contents) {
    std::vector<std::string> names;
    for (const auto& f : contents.files) {
        if (release::is_library_file(f.path)) {
            names.push_back(util::quoted(f.path));
        }
    }
    return names.empty() ? std::string("no libraries") : util::join(names, ", ");
}

Result<void> Installer::check_contents(const std::string& tag, const std::string& archive_name,
                                       const Extracted& contents, const InstallOptions& options) {
    const std::string plat = options.platform.name();
    const auto& files = contents.files;
    for (const auto& lib : options.libraries) {
        std::string file = "lib" + lib + ".a";
        bool present = std::any_of(files.begin(), files.end(),
                                   [&](const archive::ExtractedFile& f) { return f.path == file; });
        if (!present) {
            // Not a damaged download: the release simply does not ship it.
            return fail(ErrorKind::not_found,
                        "release " + util::quoted(tag) + " for " + plat + " has no library " +
                            util::quoted(file) + " (archive " + util::quoted(archive_name) +
                            " holds " + library_list(contents) +
                            "); nothing was installed; if your build needs fewer libraries, "
                            "pass --libraries or set 'libraries' in temporal-libs.toml");
        }
    }

    // A library for the wrong CPU or not a static archive at all would fail late
    // in the consumer's link (or at run time): refuse it now.
    for (const auto& info : contents.libraries) {
        if (auto ok = objfile::check_for_platform(info, options.platform); !ok) {
            return fail(ErrorKind::integrity, "release " + util::quoted(tag) + " for " + plat +
                                                  " is unusable: " + ok.error().message +
                                                  "; nothing was installed");
        }
    }

    return {};
}

}  // namespace tl::install
