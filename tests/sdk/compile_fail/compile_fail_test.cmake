# cmake -DCXX=... -DINCLUDE=... -DSOURCE=... -P compile_fail_test.cmake
# The correct provider must compile; each misspelt or mistyped member must NOT,
# and the compiler must say why (HELIX_PLUGIN's static_assert, or the abstract
# class that a missing override leaves).
function(compile mistake result_var output_var)
  execute_process(
    COMMAND ${CXX} -std=c++20 -fsyntax-only -Wall -Wextra -Werror -I${INCLUDE} -DMISTAKE=${mistake} ${SOURCE}
    RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(${result_var} ${result} PARENT_SCOPE)
  set(${output_var} "${out}${err}" PARENT_SCOPE)
endfunction()

compile(0 result output)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "the correct provider does not compile:\n${output}")
endif()

set(expected_1 "static void validate_config")
set(expected_2 "static constexpr helix_thread_safety thread_safety")
set(expected_3 "settings\\(\\)")
set(expected_4 "does not override every pure virtual method")
set(expected_5 "does not override every pure virtual method")
foreach(mistake 1 2 3 4 5)
  compile(${mistake} result output)
  if(result EQUAL 0)
    message(FATAL_ERROR "mistake ${mistake} compiled: HELIX_PLUGIN silently dropped a feature")
  endif()
  if(NOT output MATCHES "${expected_${mistake}}")
    message(FATAL_ERROR "mistake ${mistake} failed to compile, but not with HELIX_PLUGIN's message '${expected_${mistake}}':\n${output}")
  endif()
  message(STATUS "mistake ${mistake}: refused at compile time as expected")
endforeach()
