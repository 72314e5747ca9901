# cmake -DLAYER=<folder> -DALLOWED=<a|b|...> -DDIR=<daemon/folder> -P check_layer.cmake
# Fails when a file of the folder includes a daemon header of a folder that
# is not below it (see HelixLayers.cmake).
string(REPLACE "|" ";" allowed "${ALLOWED}")
cmake_minimum_required(VERSION 3.25)
file(GLOB files ${DIR}/*.hpp ${DIR}/*.cpp)
set(errors "")
foreach(file IN LISTS files)
  file(STRINGS ${file} lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"daemon/")
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"daemon/([a-z_]+)/.*$" "\\1" used "${line}")
    if(NOT used IN_LIST allowed)
      string(APPEND errors "\n  ${file}: ${line}  (daemon/${LAYER} may include only daemon/{${ALLOWED}})")
    endif()
  endforeach()
endforeach()
if(errors)
  message(FATAL_ERROR "daemon/${LAYER} includes a layer above it:${errors}")
endif()
