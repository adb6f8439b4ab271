# The portable build (-DTL_PORTABLE=ON, scripts/release-binaries.sh): one
# static executable with no run-time dependency at all, not even the C
# library's loader. Defines the same imported targets the default build gets
# from find_package/pkg_check_modules, pointing at static libraries:
#
# - OpenSSL, libsodium, zstd, zlib, c-ares: the .a files of Debian's -dev
#   packages (multiarch, /usr/lib/<triplet>);
# - libcurl, libarchive, libisal: rebuilt from Debian's source packages by
#   scripts/portable/build-deps.sh, whose prefixes come in TL_PORTABLE_DEPS;
# - toml++: header-only (Debian ships it as a shared library).
#
# libcurl is linked in (TL_CURL_LINKED, curl_client.cpp) instead of loaded with dlopen: a
# static executable cannot dlopen, and there are no forty shared libraries to
# avoid loading. See docs/portable-binaries.md.
set(TL_PORTABLE_DEPS "" CACHE STRING "Prefixes of the libraries scripts/portable/build-deps.sh built")
if(NOT TL_PORTABLE_DEPS)
  message(FATAL_ERROR "TL_PORTABLE needs TL_PORTABLE_DEPS (run scripts/release-binaries.sh)")
endif()
if(CMAKE_LIBRARY_ARCHITECTURE)
  set(_tl_multiarch "/usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}")
else()
  set(_tl_multiarch "/usr/lib")
endif()

# tl_static_lib(<target> <archive name> <search dirs> [DEPS <targets/libs>...])
function(tl_static_lib target name)
  cmake_parse_arguments(ARG "" "" "PATHS;DEPS;INCLUDES;DEFINES" ${ARGN})
  # Searched anew at every configure (NO_CACHE, and any entry an older build
  # directory cached dropped): a cached result would keep pointing at the
  # libraries of an earlier recipe after TL_PORTABLE_DEPS names new prefixes.
  unset(_tl_${name}_a CACHE)
  unset(_tl_${name}_a)
  find_file(_tl_${name}_a "lib${name}.a" PATHS ${ARG_PATHS} NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH
    NO_CACHE)
  if(NOT _tl_${name}_a)
    message(FATAL_ERROR "portable build: lib${name}.a not found in ${ARG_PATHS}")
  endif()
  add_library(${target} STATIC IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES IMPORTED_LOCATION "${_tl_${name}_a}")
  if(ARG_INCLUDES)
    set_target_properties(${target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${ARG_INCLUDES}")
  endif()
  if(ARG_DEPS)
    set_target_properties(${target} PROPERTIES INTERFACE_LINK_LIBRARIES "${ARG_DEPS}")
  endif()
  if(ARG_DEFINES)
    set_target_properties(${target} PROPERTIES INTERFACE_COMPILE_DEFINITIONS "${ARG_DEFINES}")
  endif()
endfunction()

set(_tl_dep_libs "")
set(_tl_dep_includes "")
foreach(prefix IN LISTS TL_PORTABLE_DEPS)
  list(APPEND _tl_dep_libs "${prefix}/lib")
  list(APPEND _tl_dep_includes "${prefix}/include")
endforeach()

find_package(Threads REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)

tl_static_lib(PkgConfig::ZLIB z PATHS ${_tl_multiarch})
tl_static_lib(PkgConfig::ZSTD zstd PATHS ${_tl_multiarch} DEPS Threads::Threads)
# OpenSSL: Debian's libcrypto.a and libssl.a as installed (the security
# updates of libssl-dev), linked without their unwind tables (.eh_frame,
# 0.4 MiB of the executable): OpenSSL is C, and no C++ frame ever runs below
# one of its frames (the tool calls digests and base64 only, curl registers no
# callback that reaches C++), so no exception unwinds through OpenSSL. The
# copies are remade at each configure, which release-binaries.sh runs every
# time, and when the installed archive changes.
find_program(TL_OBJCOPY NAMES ${CMAKE_OBJCOPY} objcopy REQUIRED)
foreach(_tl_ossl crypto ssl)
  set(_tl_src "${_tl_multiarch}/lib${_tl_ossl}.a")
  set(_tl_dst "${CMAKE_BINARY_DIR}/portable-libs/lib${_tl_ossl}.a")
  if(NOT EXISTS "${_tl_src}")
    message(FATAL_ERROR "portable build: ${_tl_src} not found (libssl-dev, scripts/deps/portable.txt)")
  endif()
  file(MAKE_DIRECTORY "${CMAKE_BINARY_DIR}/portable-libs")
  execute_process(COMMAND "${TL_OBJCOPY}" --remove-section=.eh_frame --remove-section=.rela.eh_frame
      "${_tl_src}" "${_tl_dst}"
    RESULT_VARIABLE _tl_rc)
  if(NOT _tl_rc EQUAL 0)
    message(FATAL_ERROR "portable build: ${TL_OBJCOPY} could not copy ${_tl_src}")
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_tl_src}")
endforeach()
add_library(OpenSSL::Crypto STATIC IMPORTED GLOBAL)
set_target_properties(OpenSSL::Crypto PROPERTIES
  IMPORTED_LOCATION "${CMAKE_BINARY_DIR}/portable-libs/libcrypto.a"
  INTERFACE_LINK_LIBRARIES Threads::Threads)
add_library(OpenSSL::SSL STATIC IMPORTED GLOBAL)
set_target_properties(OpenSSL::SSL PROPERTIES
  IMPORTED_LOCATION "${CMAKE_BINARY_DIR}/portable-libs/libssl.a"
  INTERFACE_LINK_LIBRARIES OpenSSL::Crypto)
tl_static_lib(PkgConfig::SODIUM sodium PATHS ${_tl_multiarch} DEPS Threads::Threads)
tl_static_lib(tl_cares cares PATHS ${_tl_multiarch})
tl_static_lib(PkgConfig::ISAL isal PATHS ${_tl_dep_libs})
set(ISAL_FOUND TRUE)
tl_static_lib(LibArchive::LibArchive archive PATHS ${_tl_dep_libs}
  DEPS "PkgConfig::ZSTD;PkgConfig::ZLIB")
tl_static_lib(CURL::libcurl curl PATHS ${_tl_dep_libs}
  DEPS "OpenSSL::SSL;OpenSSL::Crypto;tl_cares;PkgConfig::ZSTD;PkgConfig::ZLIB;Threads::Threads")

# Headers: the -dev packages' (libarchive-dev, libisal-dev and libcurl4-openssl-dev
# are the same upstream versions as the rebuilt libraries). A cross compiler does not see amd64's multiarch curl headers: then
# the rebuilt curl's. The headers the rebuilt libraries install are used when
# the -dev package's are missing.
set(CURL_INCLUDE_DIRS "")
if(NOT EXISTS "/usr/include/${CMAKE_LIBRARY_ARCHITECTURE}/curl/curl.h")
  foreach(dir IN LISTS _tl_dep_includes)
    if(EXISTS "${dir}/curl/curl.h")
      list(APPEND CURL_INCLUDE_DIRS "${dir}")
    endif()
  endforeach()
endif()
foreach(header archive.h isa-l/igzip_lib.h)
  if(NOT EXISTS "/usr/include/${header}")
    message(FATAL_ERROR "portable build: /usr/include/${header} missing (scripts/deps/build.txt)")
  endif()
endforeach()

# Size over speed for the tool's own code (docs/portable-binaries.md): -Os,
# each function and object in its own section so --gc-sections drops what
# main() never reaches, no debug information (stripped anyway). The hot paths
# (SHA-256, BLAKE2b, inflate, zstd, TLS) are in OpenSSL, libsodium, ISA-L and
# zstd, which keep their own flags. Later on the command line than the build
# type's -O2 -g, so these win.
add_compile_options(-Os -g0 -ffunction-sections -fdata-sections)

# toml++ as the default build compiles against it, its implementation
# compiled once into a static library instead of Debian's libtomlplusplus.so.
add_library(tl_tomlpp STATIC "${CMAKE_CURRENT_LIST_DIR}/tomlpp_impl.cpp")
target_compile_options(tl_tomlpp PRIVATE -DTOML_HEADER_ONLY=0 -DTOML_SHARED_LIB=1)
add_library(PkgConfig::TOMLPP INTERFACE IMPORTED GLOBAL)
set_target_properties(PkgConfig::TOMLPP PROPERTIES
  INTERFACE_COMPILE_OPTIONS "-DTOML_HEADER_ONLY=0;-DTOML_SHARED_LIB=1"
  INTERFACE_LINK_LIBRARIES tl_tomlpp)

# A static executable: no loader, no shared library. Not static-pie: the
# relocations a static PIE carries cost 0.7 MB of the size budget
# (docs/portable-binaries.md). CMakeLists.txt turns POSITION_INDEPENDENT_CODE
# off for the executable, so CMake links it with -no-pie rather than -pie; the
# library objects stay position independent, as in the default build. The
# release script strips the symbols and debug information.
add_link_options(-static -Wl,--gc-sections)
set(TL_WITH_ISAL ON)
# The Debian package (cpack -G DEB in the build directory, scripts/release-binaries.sh
# --deb): the executable and everything else install() lists, under /usr, with
# the third-party notices. A static executable depends on no package.
set(TL_PORTABLE_LICENSES "" CACHE PATH "Directory of third-party licence notices for the package")
if(TL_PORTABLE_LICENSES)
  install(DIRECTORY "${TL_PORTABLE_LICENSES}/" DESTINATION share/doc/temporal-libs/licenses)
endif()
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
  set(_tl_deb_arch arm64)
else()
  set(_tl_deb_arch amd64)
endif()
set(CPACK_PACKAGE_NAME temporal-libs)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "downloads, verifies, caches and links Temporal's prebuilt static Rust libraries")
set(CPACK_PACKAGE_CONTACT "temporal-libs maintainers")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE "${_tl_deb_arch}")
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "")
set(CPACK_DEBIAN_FILE_NAME "temporal-libs_${PROJECT_VERSION}_${_tl_deb_arch}.deb")
set(CPACK_GENERATOR DEB)
include(CPack)
