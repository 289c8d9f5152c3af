# Cross-compiling for Linux arm64 on a Debian x86-64 host with Debian's cross
# toolchain (g++-aarch64-linux-gnu) and multiarch libraries (libssl-dev:arm64,
# libfmt-dev:arm64, libspdlog-dev:arm64 under /usr/lib/aarch64-linux-gnu).
# scripts/cross-arm64.sh installs them and uses this file.
#
# Multiarch keeps both architectures under one root (/usr): the target's
# libraries, CMake package files and pkg-config files live in the triplet's
# directories, so the root stays "/" and CMAKE_LIBRARY_ARCHITECTURE picks them.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# Programs (cmake, ninja, the embed-file script) run on the host; libraries,
# headers and package files are searched for the target only.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config (FindOpenSSL asks it first): the arm64 .pc files and the
# architecture-independent ones, never the host's x86_64-linux-gnu ones.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# Run target programs (try_run, tests) through qemu when CMake needs to.
find_program(COORDSIM_QEMU_AARCH64 qemu-aarch64-static)
if(COORDSIM_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${COORDSIM_QEMU_AARCH64} -L /usr/aarch64-linux-gnu)
endif()

