// toml++'s implementation, for the portable build (cmake/TlPortable.cmake):
// Debian ships it as a shared library only.
#define TOML_IMPLEMENTATION
#include <toml++/toml.h>
