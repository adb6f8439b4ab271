# Builds Rust crates through Corrosion (the cargo integration for CMake).
include(FetchContent)
FetchContent_Declare(Corrosion
  GIT_REPOSITORY https://github.com/corrosion-rs/corrosion.git
  GIT_TAG v0.5)
FetchContent_MakeAvailable(Corrosion)
corrosion_import_crate(MANIFEST_PATH ${CMAKE_SOURCE_DIR}/vendor/sdk-core/Cargo.toml
                       CRATES temporal-sdk-core-c-bridge)
