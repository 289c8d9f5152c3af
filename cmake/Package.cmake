# `cmake --install` and CPack: the coordsim binary (and its docs) as a .tar.gz
# and a .deb. With COORDSIM_STATIC the .deb depends on libc6 only.
install(FILES README.md docs/agent.md docs/github-actions.md DESTINATION share/doc/coordsim)

set(CPACK_PACKAGE_NAME coordsim)
set(CPACK_PACKAGE_VENDOR "coordsim")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Coordinate CI matrix legs through GitHub: one analysis per failure")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR "TGZ;DEB")
set(CPACK_PACKAGE_CONTACT "coordsim maintainers")
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
if(COORDSIM_STATIC)
  # Only glibc is dynamic; 2.34 merged libpthread and libdl into libc.
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6 (>= 2.34)")
else()
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
endif()
# CPack asks dpkg for the .deb's Architecture, which answers for the host:
# a cross build (cmake/toolchains/aarch64-linux-gnu.cmake) names the target's.
if(CMAKE_CROSSCOMPILING AND CMAKE_SYSTEM_PROCESSOR STREQUAL "aarch64")
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)
endif()
set(coordsim_flavor "")
if(COORDSIM_MINIMAL)
  set(coordsim_flavor "-runner")
endif()
string(TOLOWER "${CMAKE_SYSTEM_NAME}-${CMAKE_SYSTEM_PROCESSOR}" coordsim_platform)
set(CPACK_PACKAGE_FILE_NAME "coordsim${coordsim_flavor}-${PROJECT_VERSION}-${coordsim_platform}")
include(CPack)
