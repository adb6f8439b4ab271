// temporal-libs: prebuilt Temporal core static libraries, fetched, verified,
// cached and handed to the build. Everything lives in the library; see
// ARCHITECTURE.md.

#include "tl/cli/app.hpp"

int main(int argc, char** argv) {
    return tl::cli::run(argc, argv);
}
