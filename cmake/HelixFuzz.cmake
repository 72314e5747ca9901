# helix_add_fuzzer(<name> SOURCES <files> LIBS <libs> CORPUS <dir>)
# A fuzz target defines LLVMFuzzerTestOneInput. With HELIX_FUZZ=ON (clang) it
# is built as a libFuzzer binary for campaigns; in every build a replay
# binary runs it over each file of its corpus, registered with ctest, so the
# default test run keeps every past crash fixed.
if(HELIX_FUZZ AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "HELIX_FUZZ needs clang: configure with -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_C_COMPILER=clang-14")
endif()
if(HELIX_FUZZ)
  # scripts/fuzz reads the list of targets from here: name, binary, corpus.
  set(HELIX_FUZZ_MANIFEST ${CMAKE_BINARY_DIR}/fuzz_targets.tsv)
  file(WRITE ${HELIX_FUZZ_MANIFEST} "")
  # Everything, not only the harnesses, gets coverage feedback and the
  # sanitizers: the code under test lives in the libraries they link.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

function(helix_add_fuzzer name)
  cmake_parse_arguments(ARG "" "CORPUS" "SOURCES;LIBS" ${ARGN})
  add_executable(${name}_replay ${ARG_SOURCES} ${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.cpp)
  target_link_libraries(${name}_replay PRIVATE ${ARG_LIBS})
  helix_target_warnings(${name}_replay)
  add_test(NAME ${name}_corpus COMMAND ${name}_replay ${ARG_CORPUS})
  if(HELIX_FUZZ)
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE ${ARG_LIBS})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    file(APPEND ${HELIX_FUZZ_MANIFEST} "${name}\t${CMAKE_CURRENT_BINARY_DIR}/${name}\t${ARG_CORPUS}\n")
  endif()
endfunction()
