# helix_daemon_layer(<folder> SOURCES ... [USES <lower folders>...] [LINKS <other targets>...])
# One static library per daemon folder, helix_<folder>, linked only to the
# layers below it (USES, and what they use in turn). Every header is visible
# to every target through the one include root, so the build also checks the
# folder's #include "daemon/<x>/..." lines: one that reaches a folder not
# below this one fails the build, naming the file and the line.
function(helix_daemon_layer folder)
  cmake_parse_arguments(ARG "" "" "SOURCES;USES;LINKS" ${ARGN})
  set(target helix_${folder})
  set(allowed ${folder})
  set(libs)
  foreach(lower IN LISTS ARG_USES)
    get_property(lower_allowed GLOBAL PROPERTY HELIX_LAYER_${lower})
    if(NOT lower_allowed)
      message(FATAL_ERROR "daemon layer '${folder}' uses '${lower}', which is not defined yet (define lower layers first)")
    endif()
    list(APPEND allowed ${lower_allowed})
    list(APPEND libs helix_${lower})
  endforeach()
  list(REMOVE_DUPLICATES allowed)
  set_property(GLOBAL PROPERTY HELIX_LAYER_${folder} ${allowed})

  add_library(${target} STATIC ${ARG_SOURCES})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${target} PUBLIC ${libs} ${ARG_LINKS})
  helix_target_warnings(${target})

  file(GLOB files CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.hpp ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  string(REPLACE ";" "|" allowed_arg "${allowed}")
  set(stamp ${CMAKE_CURRENT_BINARY_DIR}/${target}.layer)
  add_custom_command(OUTPUT ${stamp}
    COMMAND ${CMAKE_COMMAND} -DLAYER=${folder} -DALLOWED=${allowed_arg} -DDIR=${CMAKE_CURRENT_SOURCE_DIR}
            -P ${PROJECT_SOURCE_DIR}/cmake/check_layer.cmake
    COMMAND ${CMAKE_COMMAND} -E touch ${stamp}
    DEPENDS ${files} ${PROJECT_SOURCE_DIR}/cmake/check_layer.cmake
    COMMENT "Checking the includes of daemon/${folder}" VERBATIM)
  add_custom_target(${target}_layer DEPENDS ${stamp})
  add_dependencies(${target} ${target}_layer)
endfunction()
