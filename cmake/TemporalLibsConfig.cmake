# TemporalLibs: Temporal's core static libraries as CMake IMPORTED targets.
#
#   find_package(TemporalLibs REQUIRED)
#   temporal_libs_fetch(VERSION v1.0.2
#                       [LIBRARIES temporalio_sdk_core_c_bridge ...]
#                       [PLATFORM linux-x64] [CACHE_DIR dir] [HEADER_DIR dir]
#                       [SOURCE_DIR dir] [CRATES crate ...])
#   target_link_libraries(app PRIVATE TemporalLibs::TemporalLibs)
#
# temporal_libs_fetch runs `temporal-libs download --json` at configure time (a
# cache hit makes no network request and takes milliseconds) and creates one
# IMPORTED STATIC target TemporalLibs::<name> per library, plus the umbrella
# TemporalLibs::TemporalLibs that links them all with the system libraries the
# Rust static libraries need (from the release's manifest.json, else platform
# defaults).
#
# USE_PREBUILT_LIBS (CMake option, default ON; the environment variable of the
# same name wins when set). OFF: the same targets are built from source with
# `temporal-libs build` (cargo) from SOURCE_DIR (else TEMPORAL_LIBS_SOURCE_DIR,
# else the configuration's source_dir). ON and the download fails: configure
# fails with the client's message, unless the fallback is `cargo`
# (TEMPORAL_LIBS_FALLBACK as a CMake variable, else the environment variable or
# temporal-libs.toml's `fallback`), in which case the libraries are built from
# source and a warning says why. Nothing falls back silently.
#
# Variables: TEMPORAL_LIBS_EXECUTABLE (the tool; default: next to this package
# in an install, build/temporal-libs in a checkout, else PATH).
# Results: TemporalLibs_LIBRARY_DIR, TemporalLibs_LIBRARIES (target names),
# TemporalLibs_ORIGIN ("prebuilt" or "source").

cmake_minimum_required(VERSION 3.19)  # string(JSON)

# Script mode, run by the build (cmake -D_TL_ENSURE=... -P this file) before
# anything links the libraries: when a library is missing from the cache (after
# `temporal-libs cache clear`, say) it downloads the pinned release again, or
# stops with the tool's message and the command to run; then it points the
# build tree's links at the cache. See _tl_add_ensure_step.
if(CMAKE_SCRIPT_MODE_FILE AND DEFINED _TL_ENSURE)
  foreach(_tl_var _TL_FILES _TL_LINKS _TL_DOWNLOAD_ARGS)
    string(REPLACE "|" ";" ${_tl_var} "${${_tl_var}}")
  endforeach()
  set(_tl_missing "")
  foreach(_tl_file IN LISTS _TL_FILES)
    if(NOT EXISTS "${_tl_file}")
      list(APPEND _tl_missing "${_tl_file}")
    endif()
  endforeach()
  if(_tl_missing)
    list(JOIN _tl_missing "', '" _tl_missing_text)
    string(REPLACE ";" " " _tl_command "temporal-libs ${_TL_DOWNLOAD_ARGS}")
    message(STATUS "temporal-libs: '${_tl_missing_text}' missing from the cache; "
      "downloading again: ${_tl_command}")
    execute_process(COMMAND "${_TL_EXECUTABLE}" ${_TL_DOWNLOAD_ARGS}
      WORKING_DIRECTORY "${_TL_WORKING_DIRECTORY}" RESULT_VARIABLE _tl_rc)
    if(NOT _tl_rc EQUAL 0)
      message(FATAL_ERROR "temporal-libs: the libraries this build links are missing from "
        "the cache and downloading them again failed (the tool's message is above); run "
        "'${_tl_command}' in '${_TL_WORKING_DIRECTORY}', or re-configure")
    endif()
    foreach(_tl_file IN LISTS _TL_FILES)
      if(NOT EXISTS "${_tl_file}")
        message(FATAL_ERROR "temporal-libs: '${_tl_file}' is still missing after the "
          "download; re-configure the build")
      endif()
    endforeach()
  endif()
  foreach(_tl_file _tl_link IN ZIP_LISTS _TL_FILES _TL_LINKS)
    file(CREATE_LINK "${_tl_file}" "${_tl_link}" SYMBOLIC)
  endforeach()
  return()
endif()

include_guard(GLOBAL)

set(_TL_PACKAGE_DIR "${CMAKE_CURRENT_LIST_DIR}")

# An install puts this file in <prefix>/lib/cmake/TemporalLibs and the tool in
# <prefix>/bin; a checkout has it in <repo>/cmake and the tool in <repo>/build.
get_filename_component(_tl_install_bin "${CMAKE_CURRENT_LIST_DIR}/../../../bin" ABSOLUTE)
get_filename_component(_tl_checkout_bin "${CMAKE_CURRENT_LIST_DIR}/../build" ABSOLUTE)
find_program(TEMPORAL_LIBS_EXECUTABLE temporal-libs
  HINTS "${_tl_install_bin}" "${_tl_checkout_bin}" NO_DEFAULT_PATH)
find_program(TEMPORAL_LIBS_EXECUTABLE temporal-libs)

# A source tree of this repository with no tool built in it: FetchContent (or
# add_subdirectory) of temporal-libs. temporal_libs_fetch runs the tool at
# configure time, so the tool is built now, once per build tree, into
# <build>/_temporal-libs-tool (a separate build: the Rust libraries are not
# part of it, and the repository's tests are left out).
get_filename_component(_tl_repo "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
if(NOT TEMPORAL_LIBS_EXECUTABLE AND EXISTS "${_tl_repo}/CMakeLists.txt"
   AND EXISTS "${_tl_repo}/src/main.cpp")
  set(_tl_tool_dir "${CMAKE_BINARY_DIR}/_temporal-libs-tool")
  if(NOT EXISTS "${_tl_tool_dir}/temporal-libs")
    message(STATUS "temporal-libs: building the tool from '${_tl_repo}' into '${_tl_tool_dir}' "
      "(once per build tree; set TEMPORAL_LIBS_EXECUTABLE to use an installed one)")
    set(_tl_tool_args -DCMAKE_BUILD_TYPE=Release -DTL_BUILD_TESTS=OFF -DTL_BUILD_BENCH=OFF)
    foreach(_tl_var CMAKE_C_COMPILER CMAKE_CXX_COMPILER CMAKE_C_COMPILER_LAUNCHER
            CMAKE_CXX_COMPILER_LAUNCHER)
      if(${_tl_var})
        list(APPEND _tl_tool_args "-D${_tl_var}=${${_tl_var}}")
      endif()
    endforeach()
    execute_process(
      COMMAND "${CMAKE_COMMAND}" -S "${_tl_repo}" -B "${_tl_tool_dir}" -G "${CMAKE_GENERATOR}"
              ${_tl_tool_args}
      RESULT_VARIABLE _tl_rc OUTPUT_VARIABLE _tl_log ERROR_VARIABLE _tl_log)
    if(_tl_rc EQUAL 0)
      execute_process(
        COMMAND "${CMAKE_COMMAND}" --build "${_tl_tool_dir}" --target temporal-libs
        RESULT_VARIABLE _tl_rc OUTPUT_VARIABLE _tl_log ERROR_VARIABLE _tl_log)
    endif()
    if(NOT _tl_rc EQUAL 0)
      set(TemporalLibs_FOUND FALSE)
      set(TemporalLibs_NOT_FOUND_MESSAGE
        "building the temporal-libs tool from '${_tl_repo}' failed:\n${_tl_log}\n"
        "install its dependencies (scripts/install-deps.sh build), or set "
        "TEMPORAL_LIBS_EXECUTABLE to an installed temporal-libs")
      return()
    endif()
  endif()
  set(TEMPORAL_LIBS_EXECUTABLE "${_tl_tool_dir}/temporal-libs" CACHE FILEPATH
    "The temporal-libs tool" FORCE)
endif()
if(NOT TEMPORAL_LIBS_EXECUTABLE)
  set(TemporalLibs_FOUND FALSE)
  set(TemporalLibs_NOT_FOUND_MESSAGE
    "cannot find the temporal-libs executable (looked in '${_tl_install_bin}', "
    "'${_tl_checkout_bin}' and PATH); build or install it, or set TEMPORAL_LIBS_EXECUTABLE")
  return()
endif()

option(USE_PREBUILT_LIBS
  "Link Temporal's core from prebuilt release libraries (OFF: build them with cargo)" ON)
# The environment variable, as the existing builds use it, wins when set (also
# in an already configured tree); the option's value is the rest of the time.
if(DEFINED ENV{USE_PREBUILT_LIBS} AND NOT "$ENV{USE_PREBUILT_LIBS}" STREQUAL "")
  set(_tl_prebuilt "$ENV{USE_PREBUILT_LIBS}")
  if(_tl_prebuilt)
    set(_tl_prebuilt ON)
  else()
    set(_tl_prebuilt OFF)
  endif()
  if(NOT _tl_prebuilt STREQUAL USE_PREBUILT_LIBS)
    message(STATUS "temporal-libs: USE_PREBUILT_LIBS=${_tl_prebuilt} from the environment")
  endif()
  set(USE_PREBUILT_LIBS ${_tl_prebuilt} CACHE BOOL
    "Link Temporal's core from prebuilt release libraries (OFF: build them with cargo)" FORCE)
endif()

# Platform name -> Rust target triple (the release contract's table).
function(_tl_triple platform out)
  if(platform STREQUAL "linux-x64")
    set(t x86_64-unknown-linux-gnu)
  elseif(platform STREQUAL "linux-arm64")
    set(t aarch64-unknown-linux-gnu)
  elseif(platform STREQUAL "macos-arm64")
    set(t aarch64-apple-darwin)
  elseif(platform STREQUAL "macos-x64")
    set(t x86_64-apple-darwin)
  else()
    message(FATAL_ERROR "temporal-libs: unknown platform '${platform}' (expected linux-x64, "
      "linux-arm64, macos-arm64 or macos-x64)")
  endif()
  set(${out} ${t} PARENT_SCOPE)
endfunction()

# A JSON array of strings -> CMake list.
function(_tl_json_list json out)
  set(items "")
  string(JSON n ERROR_VARIABLE err LENGTH "${json}")
  if(NOT err AND n GREATER 0)
    math(EXPR last "${n} - 1")
    foreach(i RANGE ${last})
      string(JSON item GET "${json}" ${i})
      list(APPEND items "${item}")
    endforeach()
  endif()
  set(${out} "${items}" PARENT_SCOPE)
endfunction()

# Runs the tool with the common arguments; sets <prefix>_RC, _OUT, _ERR.
function(_tl_run prefix)
  execute_process(
    COMMAND "${TEMPORAL_LIBS_EXECUTABLE}" ${ARGN}
    WORKING_DIRECTORY "${CMAKE_SOURCE_DIR}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(STRIP "${err}" err)
  set(${prefix}_RC "${rc}" PARENT_SCOPE)
  set(${prefix}_OUT "${out}" PARENT_SCOPE)
  set(${prefix}_ERR "${err}" PARENT_SCOPE)
endfunction()

# The effective value of a configuration key (file, environment), or "";
# <out>_ORIGIN says where it came from ("environment (TEMPORAL_LIBS_FALLBACK)").
function(_tl_config_value key common out)
  _tl_run(_c config show --json ${common})
  set(v "")
  set(origin "")
  if(_c_RC EQUAL 0)
    string(JSON v ERROR_VARIABLE err GET "${_c_OUT}" settings ${key} value)
    if(err)
      set(v "")
    else()
      string(JSON origin GET "${_c_OUT}" settings ${key} origin)
      string(JSON where GET "${_c_OUT}" settings ${key} where)
      if(where)
        string(APPEND origin " (${where})")
      endif()
    endif()
  endif()
  set(${out} "${v}" PARENT_SCOPE)
  set(${out}_ORIGIN "${origin}" PARENT_SCOPE)
endfunction()

# Defines the IMPORTED targets from library files.
function(_tl_define_targets)
  cmake_parse_arguments(D "" "INCLUDE_DIR" "LIBRARIES;FILES;NATIVE_ARGS" ${ARGN})
  set(link_libs "")
  set(link_opts "")
  set(pending_framework FALSE)
  foreach(arg IN LISTS D_NATIVE_ARGS)
    if(pending_framework)
      list(APPEND link_opts "SHELL:-framework ${arg}")
      set(pending_framework FALSE)
    elseif(arg STREQUAL "-framework")
      set(pending_framework TRUE)
    elseif(arg MATCHES "^-l(.+)$")
      list(APPEND link_libs "${CMAKE_MATCH_1}")
    else()
      list(APPEND link_opts "${arg}")
    endif()
  endforeach()

  if(NOT TARGET TemporalLibs::TemporalLibs)
    add_library(TemporalLibs::TemporalLibs INTERFACE IMPORTED GLOBAL)
  endif()
  set(targets "")
  foreach(name file IN ZIP_LISTS D_LIBRARIES D_FILES)
    set(t "TemporalLibs::${name}")
    if(NOT TARGET ${t})
      add_library(${t} STATIC IMPORTED GLOBAL)
    endif()
    set_target_properties(${t} PROPERTIES
      IMPORTED_LOCATION "${file}"
      IMPORTED_LINK_INTERFACE_LANGUAGES "C"
      INTERFACE_LINK_LIBRARIES "${link_libs}"
      INTERFACE_LINK_OPTIONS "${link_opts}")
    if(D_INCLUDE_DIR)
      set_target_properties(${t} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${D_INCLUDE_DIR}")
    endif()
    list(APPEND targets ${t})
  endforeach()
  set_target_properties(TemporalLibs::TemporalLibs PROPERTIES INTERFACE_LINK_LIBRARIES "${targets}")
  if(D_INCLUDE_DIR)
    set_target_properties(TemporalLibs::TemporalLibs PROPERTIES
      INTERFACE_INCLUDE_DIRECTORIES "${D_INCLUDE_DIR}")
  endif()
  set(TemporalLibs_LIBRARIES "${targets}" PARENT_SCOPE)
endfunction()

# Builds the libraries from source with `temporal-libs build`; sets
# _tl_files and _tl_native in the caller.
macro(_tl_build_from_source)
  if(NOT _tl_source_dir)
    message(FATAL_ERROR "temporal-libs: no source directory to build Temporal's core from; "
      "pass SOURCE_DIR to temporal_libs_fetch, set TEMPORAL_LIBS_SOURCE_DIR, or set "
      "source_dir in temporal-libs.toml")
  endif()
  get_filename_component(_tl_source_dir "${_tl_source_dir}" ABSOLUTE BASE_DIR "${CMAKE_SOURCE_DIR}")
  _tl_triple("${_tl_platform}" _tl_target)
  set(_tl_out "${CMAKE_BINARY_DIR}/temporal-libs-src/${_tl_platform}")
  set(_tl_build_args build --json --source "${_tl_source_dir}" --target "${_tl_target}"
    --out "${_tl_out}")
  foreach(_tl_crate IN LISTS _tl_crates)
    list(APPEND _tl_build_args --crate "${_tl_crate}")
  endforeach()
  if(NOT DEFINED ENV{CARGO_TARGET_DIR})
    list(APPEND _tl_build_args --target-dir "${CMAKE_BINARY_DIR}/temporal-libs-src/target")
  endif()
  if(TEMPORAL_LIBS_CARGO_OFFLINE)
    list(APPEND _tl_build_args --offline)
  endif()
  message(STATUS "temporal-libs: building ${_tl_target} libraries from '${_tl_source_dir}' with cargo")
  _tl_run(_tl_b ${_tl_build_args})
  if(NOT _tl_b_RC EQUAL 0)
    message(FATAL_ERROR "temporal-libs: building from source failed: ${_tl_b_ERR}")
  endif()
  set(_tl_files "")
  set(_tl_native "")
  foreach(_tl_lib IN LISTS _tl_libraries)
    set(_tl_file "${_tl_out}/lib${_tl_lib}.a")
    if(NOT EXISTS "${_tl_file}")
      message(FATAL_ERROR "temporal-libs: the source build produced no '${_tl_file}'; "
        "check CRATES (or crates in temporal-libs.toml) names the crate of '${_tl_lib}'")
    endif()
    list(APPEND _tl_files "${_tl_file}")
  endforeach()
  string(JSON _tl_crate_json GET "${_tl_b_OUT}" crates 0 native_link_args)
  _tl_json_list("${_tl_crate_json}" _tl_native)
  set(TemporalLibs_LIBRARY_DIR "${_tl_out}")
  set(TemporalLibs_ORIGIN source)
endmacro()

# The build-time side of a prebuilt fetch: the IMPORTED targets point at
# links in the build tree (<build>/temporal-libs/<platform>-<id>/lib<name>.a), made
# by a custom command that re-checks the cache. A cleared cache then means a
# download (or a message saying what to run) at build time, not a generator's
# "missing and no known rule"; and `ninja clean` removes the links, never the
# cache's files. Sets <out> to the links, in the order of `files`, and
# <out_target> to the custom target that makes them.
function(_tl_add_ensure_step platform download_args files out out_target)
  # One step per platform and set of files: a second temporal_libs_fetch for
  # the same platform with other LIBRARIES gets links and a target of its own.
  string(MD5 id "${download_args};${files}")
  string(SUBSTRING "${id}" 0 8 id)
  set(target temporal_libs_ensure_${platform}_${id})
  set(link_dir "${CMAKE_BINARY_DIR}/temporal-libs/${platform}-${id}")
  file(MAKE_DIRECTORY "${link_dir}")
  set(links "")
  foreach(file IN LISTS files)
    get_filename_component(name "${file}" NAME)
    list(APPEND links "${link_dir}/${name}")
  endforeach()
  # Lists travel to the script with '|' in place of ';' (add_custom_command
  # would split them).
  string(REPLACE ";" "|" files_arg "${files}")
  string(REPLACE ";" "|" links_arg "${links}")
  string(REPLACE ";" "|" args_arg "${download_args}")
  set(${out} "${links}" PARENT_SCOPE)
  set(${out_target} "${target}" PARENT_SCOPE)
  if(TARGET ${target})
    return()
  endif()
  add_custom_command(
    OUTPUT ${links}
    COMMAND "${CMAKE_COMMAND}" -D_TL_ENSURE=1
            "-D_TL_EXECUTABLE=${TEMPORAL_LIBS_EXECUTABLE}"
            "-D_TL_WORKING_DIRECTORY=${CMAKE_SOURCE_DIR}"
            "-D_TL_FILES=${files_arg}" "-D_TL_LINKS=${links_arg}"
            "-D_TL_DOWNLOAD_ARGS=${args_arg}"
            -P "${_TL_PACKAGE_DIR}/TemporalLibsConfig.cmake"
    COMMENT "temporal-libs: checking the cached ${platform} libraries"
    VERBATIM)
  add_custom_target(${target} DEPENDS ${links})
endfunction()

function(temporal_libs_fetch)
  cmake_parse_arguments(A "" "VERSION;PLATFORM;CACHE_DIR;HEADER_DIR;SOURCE_DIR"
    "LIBRARIES;CRATES" ${ARGN})
  set(common "")
  if(A_VERSION)
    list(APPEND common --version "${A_VERSION}")
  endif()
  if(A_PLATFORM)
    list(APPEND common --platform "${A_PLATFORM}")
  endif()
  # Where the cache is. The tool's default, a .temporal-libs-cache folder in the
  # project, is kept only when the project chose it (temporal-libs.toml or
  # temporal-libs.lock) or when the default is the user's cache folder; any cache_dir
  # setting (file, environment) is used as set. Otherwise the cache goes to the
  # build tree, so that configuring does not write into the consumer's sources.
  if(A_CACHE_DIR)
    get_filename_component(cache "${A_CACHE_DIR}" ABSOLUTE BASE_DIR "${CMAKE_SOURCE_DIR}")
    list(APPEND common --cache-dir "${cache}")
    set(cache_reason "CACHE_DIR of temporal_libs_fetch")
  endif()
  _tl_run(_c config show --json ${common})
  if(NOT _c_RC EQUAL 0)
    message(FATAL_ERROR "temporal-libs: ${_c_ERR}")
  endif()
  string(JSON _tl_platform GET "${_c_OUT}" platform)
  if(A_PLATFORM)
    set(_tl_platform "${A_PLATFORM}")
  endif()
  if(NOT A_CACHE_DIR)
    string(JSON cache GET "${_c_OUT}" cache_dir)
    string(JSON cache_origin GET "${_c_OUT}" settings cache_dir origin)
    string(JSON cache_where GET "${_c_OUT}" settings cache_dir where)
    string(JSON project_file GET "${_c_OUT}" project_file)
    if(project_file)
      get_filename_component(project_dir "${project_file}" DIRECTORY)
    else()
      set(project_dir "${CMAKE_SOURCE_DIR}")
    endif()
    # The user's cache folder ($XDG_CACHE_HOME, ~/.cache, ~/Library/Caches):
    # the tool's default outside a project, shared and out of every source tree.
    set(user_cache_roots "")
    if(DEFINED ENV{XDG_CACHE_HOME} AND NOT "$ENV{XDG_CACHE_HOME}" STREQUAL "")
      list(APPEND user_cache_roots "$ENV{XDG_CACHE_HOME}")
    endif()
    if(DEFINED ENV{HOME} AND NOT "$ENV{HOME}" STREQUAL "")
      list(APPEND user_cache_roots "$ENV{HOME}/.cache" "$ENV{HOME}/Library/Caches")
    endif()
    set(in_user_cache FALSE)
    foreach(root IN LISTS user_cache_roots)
      file(RELATIVE_PATH rel "${root}" "${cache}")
      if(NOT rel MATCHES "^\\.\\." AND NOT IS_ABSOLUTE "${rel}")
        set(in_user_cache TRUE)
      endif()
    endforeach()
    if(NOT cache_origin STREQUAL "default")
      set(cache_reason "cache_dir from the ${cache_origin}")
      if(cache_where)
        string(APPEND cache_reason " (${cache_where})")
      endif()
    elseif(project_file)
      set(cache_reason "the project's, chosen by '${project_file}'")
    elseif(EXISTS "${project_dir}/temporal-libs.lock")
      set(cache_reason "the project's, chosen by '${project_dir}/temporal-libs.lock'")
    elseif(in_user_cache)
      set(cache_reason "the user cache: no project setting chose one")
    else()
      set(cache "${CMAKE_BINARY_DIR}/temporal-libs-cache")
      set(cache_reason "in the build tree: neither temporal-libs.toml, temporal-libs.lock nor "
        "TEMPORAL_LIBS_CACHE_DIR chose one; set one of them (or CACHE_DIR) to share a cache "
        "between build trees")
    endif()
    # The same cache for every run, at configure and at build time.
    list(APPEND common --cache-dir "${cache}")
  endif()
  message(STATUS "temporal-libs: cache '${cache}' (${cache_reason})")

  set(_tl_libraries ${A_LIBRARIES})
  set(library_args "")
  if(_tl_libraries)
    # The archive must hold these, and only these (see --libraries).
    list(JOIN _tl_libraries "," library_list)
    set(library_args --libraries "${library_list}")
  else()
    set(_tl_libraries temporalio_sdk_core temporalio_sdk_core_c_bridge temporalio_client
      temporalio_sdk temporalio_common)
  endif()

  set(_tl_source_dir "${A_SOURCE_DIR}")
  if(NOT _tl_source_dir AND TEMPORAL_LIBS_SOURCE_DIR)
    set(_tl_source_dir "${TEMPORAL_LIBS_SOURCE_DIR}")
  endif()
  if(NOT _tl_source_dir)
    _tl_config_value(source_dir "${common}" _tl_source_dir)
    # A relative source_dir in a file is relative to that file's folder.
    if(_tl_source_dir AND NOT IS_ABSOLUTE "${_tl_source_dir}"
       AND _tl_source_dir_ORIGIN MATCHES "file \\((.*)\\)$")
      get_filename_component(_tl_file_dir "${CMAKE_MATCH_1}" DIRECTORY)
      get_filename_component(_tl_source_dir "${_tl_source_dir}" ABSOLUTE BASE_DIR "${_tl_file_dir}")
    endif()
  endif()
  set(_tl_crates ${A_CRATES})
  if(NOT _tl_crates)
    _tl_config_value(crates "${common}" _tl_crates_text)
    string(REPLACE "," ";" _tl_crates "${_tl_crates_text}")
  endif()
  if(NOT _tl_crates)
    foreach(lib IN LISTS _tl_libraries)
      string(REPLACE "_" "-" crate "${lib}")
      list(APPEND _tl_crates "${crate}")
    endforeach()
  endif()

  set(include_dir "")
  set(_tl_ensure_target "")
  if(USE_PREBUILT_LIBS)
    _tl_run(_d download --json ${common} ${library_args})
    if(_d_RC EQUAL 0)
      string(JSON dir GET "${_d_OUT}" directory)
      string(JSON tag GET "${_d_OUT}" tag)
      string(JSON from_cache GET "${_d_OUT}" from_cache)
      _tl_run(_f flags --json --offline ${common} ${library_args})
      if(NOT _f_RC EQUAL 0)
        message(FATAL_ERROR "temporal-libs: reading link flags failed: ${_f_ERR}")
      endif()
      string(JSON native_json GET "${_f_OUT}" native_args)
      _tl_json_list("${native_json}" _tl_native)
      string(JSON include_dir GET "${_f_OUT}" include_dir)
      set(_tl_files "")
      foreach(lib IN LISTS _tl_libraries)
        set(file "${dir}/lib${lib}.a")
        if(NOT EXISTS "${file}")
          message(FATAL_ERROR "temporal-libs: release ${tag} for ${_tl_platform} has no "
            "lib${lib}.a; check LIBRARIES against the release's libraries")
        endif()
        list(APPEND _tl_files "${file}")
      endforeach()
      # The build re-checks them: the pinned tag, not "latest", is fetched again.
      set(_tl_download_args download --version "${tag}" --platform "${_tl_platform}"
        --cache-dir "${cache}" ${library_args})
      _tl_add_ensure_step("${_tl_platform}" "${_tl_download_args}" "${_tl_files}" _tl_files
        _tl_ensure_target)
      set(TemporalLibs_LIBRARY_DIR "${dir}")
      set(TemporalLibs_ORIGIN prebuilt)
      if(from_cache)
        message(STATUS "temporal-libs: ${tag} for ${_tl_platform} from the cache: ${dir}")
      else()
        message(STATUS "temporal-libs: downloaded ${tag} for ${_tl_platform} into ${dir}")
      endif()
    else()
      # The client's own message: from its JSON answer, else its stderr.
      string(JSON reason ERROR_VARIABLE err GET "${_d_OUT}" error message)
      if(err OR reason STREQUAL "")
        set(reason "${_d_ERR}")
      endif()
      # Exit 5 (integrity): a checksum, signature or lockfile mismatch. Building
      # from source would hide a replaced release, so there is no fallback.
      if(_d_RC EQUAL 5)
        message(FATAL_ERROR "temporal-libs: prebuilt libraries refused: ${reason}\n"
          "This is an integrity failure (changed asset, bad signature or checksum); "
          "TEMPORAL_LIBS_FALLBACK does not apply to it.")
      endif()
      if(DEFINED TEMPORAL_LIBS_FALLBACK AND NOT TEMPORAL_LIBS_FALLBACK STREQUAL "")
        set(fallback "${TEMPORAL_LIBS_FALLBACK}")
        set(fallback_origin "the CMake variable TEMPORAL_LIBS_FALLBACK")
      else()
        _tl_config_value(fallback "${common}" fallback)
        set(fallback_origin "the ${fallback_ORIGIN} setting (see 'temporal-libs config show')")
      endif()
      if(NOT fallback STREQUAL "cargo")
        message(FATAL_ERROR "temporal-libs: prebuilt libraries unavailable: ${reason}\n"
          "To build them from source instead, set TEMPORAL_LIBS_FALLBACK=cargo (environment, "
          "CMake variable or fallback in temporal-libs.toml) or USE_PREBUILT_LIBS=OFF.")
      endif()
      message(WARNING "temporal-libs: prebuilt libraries unavailable (${reason}); building "
        "from source with cargo because fallback is 'cargo' in ${fallback_origin}")
      _tl_build_from_source()
    endif()
  else()
    message(STATUS "temporal-libs: USE_PREBUILT_LIBS is OFF; building from source")
    _tl_build_from_source()
  endif()

  if(A_HEADER_DIR)
    get_filename_component(include_dir "${A_HEADER_DIR}" ABSOLUTE BASE_DIR "${CMAKE_SOURCE_DIR}")
  elseif(include_dir AND NOT IS_DIRECTORY "${include_dir}")
    set(include_dir "")
  endif()
  _tl_define_targets(LIBRARIES ${_tl_libraries} FILES ${_tl_files} NATIVE_ARGS ${_tl_native}
    INCLUDE_DIR "${include_dir}")
  if(_tl_ensure_target)
    foreach(t IN LISTS TemporalLibs_LIBRARIES ITEMS TemporalLibs::TemporalLibs)
      add_dependencies(${t} ${_tl_ensure_target})
    endforeach()
  endif()
  set(TemporalLibs_LIBRARIES "${TemporalLibs_LIBRARIES}" PARENT_SCOPE)
  set(TemporalLibs_LIBRARY_DIR "${TemporalLibs_LIBRARY_DIR}" PARENT_SCOPE)
  set(TemporalLibs_ORIGIN "${TemporalLibs_ORIGIN}" PARENT_SCOPE)
endfunction()

set(TemporalLibs_FOUND TRUE)
