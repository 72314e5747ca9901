# helixagent_add_plugin(<target> <sources>...)
# Builds a provider plugin as a shared module named lib<target>.so that exports
# only helix_plugin_negotiate and helix_plugin_entry: everything else stays hidden, so two plugins that
# bundle different versions of a library cannot clash inside the daemon.
function(helixagent_add_plugin target)
  add_library(${target} MODULE ${ARGN})
  if(TARGET HelixAgentSDK::sdk)
    target_link_libraries(${target} PRIVATE HelixAgentSDK::sdk)
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX "lib"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_compile_features(${target} PRIVATE cxx_std_20)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_link_options(${target} PRIVATE -Wl,--no-undefined)
  endif()
  # GCC's "unique" symbols (static locals of inline templates) make the loader
  # keep a library for ever, so an old build replaced on disk and reloaded
  # would never be unloaded.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -fno-gnu-unique)
  endif()
endfunction()
