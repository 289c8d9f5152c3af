# Fuzz targets (tests/fuzz/, docs/fuzzing.md), included at the end of
# tests/CMakeLists.txt.
#
# Every build: each target fuzz_<name> is linked with a small driver
# (tests/fuzz/replay_main.cpp) and CTest `fuzz.regression.<name>` replays the
# committed corpus tests/fuzz/regression/<name>/ through it, so the corpus runs
# under GCC, in Release and in the ASan + UBSan build alike.
#
# -DCOORDSIM_FUZZ=ON (clang++ only; a build directory of its own, e.g.
# build-fuzz): each fuzz_<name> is a libFuzzer binary instead, and every
# library of the project is compiled with coverage for libFuzzer and with
# AddressSanitizer + UndefinedBehaviorSanitizer. scripts/fuzz.sh configures,
# builds (target fuzz_all) and runs them.
option(COORDSIM_FUZZ "Build the fuzz targets as libFuzzer binaries (clang++), instrumenting every library" OFF)

set(COORDSIM_FUZZ_DIR ${PROJECT_SOURCE_DIR}/tests/fuzz)
# -fno-sanitize=function: clang 14 fails on coroutines compiled with both
# UBSan's function check and libFuzzer's coverage ("Cannot represent a
# difference across sections"); that check only concerns calls through
# mistyped function pointers.
set(COORDSIM_FUZZ_SANITIZERS -fsanitize=address,undefined -fno-sanitize=function -fno-sanitize-recover=undefined
    -fno-omit-frame-pointer)

if(COORDSIM_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "COORDSIM_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  # Every target the project defined so far, in every directory.
  function(coordsim_fuzz_all_targets dir out)
    get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
    get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
    foreach(sub IN LISTS subdirs)
      coordsim_fuzz_all_targets(${sub} more)
      list(APPEND targets ${more})
    endforeach()
    set(${out} ${targets} PARENT_SCOPE)
  endfunction()
  coordsim_fuzz_all_targets(${PROJECT_SOURCE_DIR} all_targets)
  foreach(t IN LISTS all_targets)
    get_target_property(type ${t} TYPE)
    if(type STREQUAL "STATIC_LIBRARY" OR type STREQUAL "OBJECT_LIBRARY")
      target_compile_options(${t} PRIVATE -fsanitize=fuzzer-no-link ${COORDSIM_FUZZ_SANITIZERS})
    elseif(type STREQUAL "EXECUTABLE")
      # coordsim, the unit tests: they link instrumented libraries.
      target_compile_options(${t} PRIVATE ${COORDSIM_FUZZ_SANITIZERS})
      target_link_options(${t} PRIVATE -fsanitize=address,undefined)
    endif()
  endforeach()
  if(COORDSIM_BUILD_BENCH)
    message(WARNING "COORDSIM_FUZZ: the benchmarks are not instrumented; configure with -DCOORDSIM_BUILD_BENCH=OFF")
  endif()
  add_custom_target(fuzz_all)
endif()

if(NOT COORDSIM_FUZZ)
  # The driver, compiled once for every target.
  add_library(coordsim_fuzz_driver STATIC ${COORDSIM_FUZZ_DIR}/replay_main.cpp)
endif()

# coordsim_fuzz_target(NAME SOURCE LIBS...)
function(coordsim_fuzz_target name source)
  set(exe fuzz_${name})
  if(COORDSIM_FUZZ)
    add_executable(${exe} ${COORDSIM_FUZZ_DIR}/${source})
    target_compile_options(${exe} PRIVATE -fsanitize=fuzzer ${COORDSIM_FUZZ_SANITIZERS})
    target_link_options(${exe} PRIVATE -fsanitize=fuzzer,address,undefined)
    add_dependencies(fuzz_all ${exe})
  else()
    add_executable(${exe} ${COORDSIM_FUZZ_DIR}/${source})
    target_link_libraries(${exe} PRIVATE coordsim_fuzz_driver)
  endif()
  target_link_libraries(${exe} PRIVATE ${ARGN})
  target_include_directories(${exe} PRIVATE ${COORDSIM_FUZZ_DIR})

  # The committed corpus, less the reproducers of bugs still open
  # (tests/fuzz/regression/open-bugs.txt: one "<name>/<file>" a line).
  file(GLOB corpus CONFIGURE_DEPENDS ${COORDSIM_FUZZ_DIR}/regression/${name}/*)
  file(STRINGS ${COORDSIM_FUZZ_DIR}/regression/open-bugs.txt open_bugs REGEX "^[^#]")
  foreach(line IN LISTS open_bugs)
    string(REGEX REPLACE "[ \t].*" "" open "${line}")
    list(REMOVE_ITEM corpus ${COORDSIM_FUZZ_DIR}/regression/${open})
  endforeach()
  if(NOT corpus)
    message(FATAL_ERROR "tests/fuzz/regression/${name}/ holds no input")
  endif()
  # A libFuzzer binary given files runs each once, as the driver does. Strict:
  # an InputError quoting a raw library message is a finding here too.
  add_test(NAME fuzz.regression.${name} COMMAND ${exe} -timeout=30 ${corpus})
  set_tests_properties(fuzz.regression.${name} PROPERTIES TIMEOUT 300 ENVIRONMENT COORDSIM_FUZZ_STRICT=1
                       FAIL_REGULAR_EXPRESSION "coordsim-fuzz: finding")
endfunction()

coordsim_fuzz_target(scenario fuzz_scenario.cpp coordsim_engine coordsim_input)
coordsim_fuzz_target(set fuzz_set.cpp coordsim_engine coordsim_input)
coordsim_fuzz_target(vary fuzz_vary.cpp coordsim_analysis)
coordsim_fuzz_target(where fuzz_where.cpp coordsim_analysis)
coordsim_fuzz_target(merge fuzz_merge.cpp coordsim_analysis coordsim_output)
coordsim_fuzz_target(serve_state fuzz_serve_state.cpp coordsim_http)
coordsim_fuzz_target(http fuzz_http.cpp coordsim_http)

# The CLI mutation fuzzer's findings that no target covers (scripts/mutate.py,
# docs/fuzzing.md): a scenario and a command line each, with the exit code and
# message they must give.
add_test(NAME fuzz.cli_reproducers
         COMMAND bash ${COORDSIM_FUZZ_DIR}/cli-reproducers/run.sh $<TARGET_FILE:coordsim>)
set_tests_properties(fuzz.cli_reproducers PROPERTIES TIMEOUT 600)
