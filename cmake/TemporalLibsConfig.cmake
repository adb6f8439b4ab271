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
include_guard(GLOBAL)

set(_TL_PACKAGE_DIR "${CMAKE_CURRENT_LIST_DIR}")

# An install puts this file in <prefix>/lib/cmake/TemporalLibs and the tool in
# <prefix>/bin; a checkout has it in <repo>/cmake and the tool in <repo>/build.
get_filename_component(_tl_install_bin "${CMAKE_CURRENT_LIST_DIR}/../../../bin" ABSOLUTE)
get_filename_component(_tl_checkout_bin "${CMAKE_CURRENT_LIST_DIR}/../build" ABSOLUTE)
find_program(TEMPORAL_LIBS_EXECUTABLE temporal-libs
  HINTS "${_tl_install_bin}" "${_tl_checkout_bin}" NO_DEFAULT_PATH)
find_program(TEMPORAL_LIBS_EXECUTABLE temporal-libs)
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
  if(A_CACHE_DIR)
    get_filename_component(cache "${A_CACHE_DIR}" ABSOLUTE BASE_DIR "${CMAKE_SOURCE_DIR}")
    list(APPEND common --cache-dir "${cache}")
  endif()
  set(_tl_libraries ${A_LIBRARIES})
  if(NOT _tl_libraries)
    set(_tl_libraries temporalio_sdk_core temporalio_sdk_core_c_bridge temporalio_client
      temporalio_sdk temporalio_common)
  endif()

  set(_tl_platform "${A_PLATFORM}")
  if(NOT _tl_platform)
    _tl_run(_c config show --json ${common})
    if(NOT _c_RC EQUAL 0)
      message(FATAL_ERROR "temporal-libs: ${_c_ERR}")
    endif()
    string(JSON _tl_platform GET "${_c_OUT}" platform)
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
  if(USE_PREBUILT_LIBS)
    _tl_run(_d download --json ${common})
    if(_d_RC EQUAL 0)
      string(JSON dir GET "${_d_OUT}" directory)
      string(JSON tag GET "${_d_OUT}" tag)
      string(JSON from_cache GET "${_d_OUT}" from_cache)
      set(lib_args "")
      foreach(lib IN LISTS _tl_libraries)
        list(APPEND lib_args "${lib}")
      endforeach()
      _tl_run(_f flags --json --offline ${common})
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
  set(TemporalLibs_LIBRARIES "${TemporalLibs_LIBRARIES}" PARENT_SCOPE)
  set(TemporalLibs_LIBRARY_DIR "${TemporalLibs_LIBRARY_DIR}" PARENT_SCOPE)
  set(TemporalLibs_ORIGIN "${TemporalLibs_ORIGIN}" PARENT_SCOPE)
endfunction()

set(TemporalLibs_FOUND TRUE)
