# layers.cmake — fails the build when a layer of the service calls a layer above it.
#
#   cmake -DNM=nm "-DARCHIVES=core=libcore.a|store=libstore.a|..." -DALLOW=layers.allow -DSTAMP=out -P layers.cmake
#
# ARCHIVES lists the layers' static libraries from the bottom up. Every global symbol an object of one
# layer leaves undefined is looked up among the symbols the layers define: one defined in a higher layer
# is an upward call and an error, unless ALLOW has the line "<layer>/<file>.c <higher layer>  # reason".
# An ALLOW line that no longer matches any upward call is an error too, so the list only shrinks.
# Symbols no layer defines (libc, libpq, Ulfius...) are the linker's business. Writes STAMP when clean.
cmake_minimum_required(VERSION 3.18)

string(REPLACE "|" ";" archives "${ARCHIVES}")
set(layers)
set(rank 0)
foreach(entry IN LISTS archives)
  string(REGEX MATCH "^([a-z]+)=(.+)$" ok "${entry}")
  set(layer ${CMAKE_MATCH_1})
  set(path_${layer} ${CMAKE_MATCH_2})
  set(rank_${layer} ${rank})
  list(APPEND layers ${layer})
  math(EXPR rank "${rank} + 1")
endforeach()

# nm_lines(<out var> <archive> <flags...>): nm's "archive:object: ... symbol" lines, one list item each.
function(nm_lines out archive)
  execute_process(COMMAND ${NM} -A ${ARGN} ${archive} OUTPUT_VARIABLE text RESULT_VARIABLE rc ERROR_QUIET)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "layers: ${NM} failed on ${archive}")
  endif()
  string(REPLACE ";" "" text "${text}")
  string(REPLACE "\n" ";" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# Where each global symbol is defined: def_<symbol> = the layer.
foreach(layer IN LISTS layers)
  nm_lines(lines ${path_${layer}} -g --defined-only)
  foreach(line IN LISTS lines)
    if(line MATCHES " [A-Za-z] ([A-Za-z_][A-Za-z0-9_]*)$")
      set(def_${CMAKE_MATCH_1} ${layer})
    endif()
  endforeach()
endforeach()

# The allowed exceptions: allow_<layer>/<file>_<upper layer> = 1.
set(allowed)
file(STRINGS ${ALLOW} allow_lines)
foreach(line IN LISTS allow_lines)
  if(line MATCHES "^([a-z]+/[A-Za-z0-9_]+\\.c)[ \t]+([a-z]+)")
    set(allow_${CMAKE_MATCH_1}_${CMAKE_MATCH_2} 1)
    list(APPEND allowed "${CMAKE_MATCH_1} ${CMAKE_MATCH_2}")
  endif()
endforeach()

set(errors "")
set(used)
foreach(layer IN LISTS layers)
  nm_lines(lines ${path_${layer}} -u)
  foreach(line IN LISTS lines)
    if(NOT line MATCHES ":([A-Za-z0-9_]+\\.c)\\.o: +U ([A-Za-z_][A-Za-z0-9_]*)$")
      continue()
    endif()
    set(file ${CMAKE_MATCH_1})
    set(sym ${CMAKE_MATCH_2})
    set(to "${def_${sym}}")
    if(to STREQUAL "" OR rank_${to} LESS_EQUAL rank_${layer})
      continue()
    endif()
    if(allow_${layer}/${file}_${to})
      list(APPEND used "${layer}/${file} ${to}")
    else()
      string(APPEND errors "  api/${layer}/${file} calls ${sym} of the ${to} layer\n")
    endif()
  endforeach()
endforeach()

foreach(entry IN LISTS allowed)
  if(NOT entry IN_LIST used)
    string(APPEND errors "  ${ALLOW} allows \"${entry}\", which no longer happens: remove the line\n")
  endif()
endforeach()

if(NOT errors STREQUAL "")
  list(JOIN layers " < " order)
  message(FATAL_ERROR "layers: a layer may call only the layers below it (${order}):\n${errors}")
endif()
file(WRITE ${STAMP} "layers clean\n")
