# COORDSIM_STATIC: a coordsim that needs nothing on the runner but the C
# library (glibc's libc, libm and the dynamic loader). libstdc++ and libgcc
# are linked statically; OpenSSL from Debian's static archives (libssl-dev
# ships libssl.a and libcrypto.a); spdlog and fmt header-only, since Debian
# ships them as shared libraries only. tests/e2e/package/test_static.sh checks
# the result with readelf.
set(OPENSSL_USE_STATIC_LIBS TRUE)
add_link_options(-static-libstdc++ -static-libgcc)

# Debian's spdlog target links libspdlog.so and libfmt.so: this one compiles
# both in (SPDLOG_FMT_EXTERNAL with fmt in header-only mode).
find_package(fmt REQUIRED)
add_library(spdlog::spdlog INTERFACE IMPORTED GLOBAL)
set_target_properties(spdlog::spdlog PROPERTIES
  INTERFACE_COMPILE_DEFINITIONS "SPDLOG_FMT_EXTERNAL;FMT_HEADER_ONLY"
  INTERFACE_LINK_LIBRARIES "Threads::Threads")
