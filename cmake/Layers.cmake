# coordsim_layer(TARGET FOLDER [EXCLUDE sub...] [SOURCES ...] [LAYERS lower...] [LIBS ...])
#
# One layer of the architecture (docs/architecture.md): a library built from
# FOLDER, whose headers are included by their path from the repository root
# ("sim/model/github_model.hpp"). The include root it publishes is a directory
# in the build tree holding only FOLDER (a symbolic link at that path), so a
# file can include headers of its own layer and of the layers it links
# (LAYERS) — and a header of any other layer is "file not found". The
# repository root is never an include path: that is the hole FoundationDB's
# build comments describe, where every module could reach every other.
#
# EXCLUDE names subfolders left out of the root (agent/real is a layer above
# agent). tests/layering/check_layers.py checks the same rule on the sources'
# text, including for headers that happen to be reachable, and reads the
# layer table this function writes (coordsim-layers.json in the build tree).
function(coordsim_layer target folder)
  cmake_parse_arguments(L "" "" "EXCLUDE;SOURCES;LAYERS;LIBS" ${ARGN})
  set(root "${CMAKE_BINARY_DIR}/include-roots/${target}")
  set(link "${root}/${folder}")
  get_filename_component(parent "${link}" DIRECTORY)
  file(MAKE_DIRECTORY "${parent}")
  if(L_EXCLUDE)
    # A real directory of links to every entry but the excluded ones.
    file(MAKE_DIRECTORY "${link}")
    file(GLOB entries CONFIGURE_DEPENDS RELATIVE "${PROJECT_SOURCE_DIR}/${folder}" "${PROJECT_SOURCE_DIR}/${folder}/*")
    foreach(e IN LISTS entries)
      if(NOT e IN_LIST L_EXCLUDE AND NOT EXISTS "${link}/${e}")
        file(CREATE_LINK "${PROJECT_SOURCE_DIR}/${folder}/${e}" "${link}/${e}" SYMBOLIC)
      endif()
    endforeach()
  elseif(NOT EXISTS "${link}")
    file(CREATE_LINK "${PROJECT_SOURCE_DIR}/${folder}" "${link}" SYMBOLIC)
  endif()

  if(L_SOURCES)
    add_library(${target} STATIC ${L_SOURCES})
    set(scope PUBLIC)
  else()
    add_library(${target} INTERFACE)
    set(scope INTERFACE)
  endif()
  target_include_directories(${target} ${scope} "${root}")
  target_link_libraries(${target} ${scope} ${L_LAYERS} ${L_LIBS})

  # The layer table for the layering check: folder, excluded subfolders, and
  # the folders of the layers it links directly.
  set(lower "")
  foreach(dep IN LISTS L_LAYERS)
    get_property(dep_folder GLOBAL PROPERTY COORDSIM_LAYER_FOLDER_${dep})
    if(NOT dep_folder)
      message(FATAL_ERROR "coordsim_layer(${target}): ${dep} is not a layer declared before it")
    endif()
    list(APPEND lower "\"${dep_folder}\"")
  endforeach()
  set(excluded "")
  foreach(e IN LISTS L_EXCLUDE)
    list(APPEND excluded "\"${folder}/${e}\"")
  endforeach()
  list(JOIN lower ", " lower)
  list(JOIN excluded ", " excluded)
  set_property(GLOBAL PROPERTY COORDSIM_LAYER_FOLDER_${target} "${folder}")
  set_property(GLOBAL APPEND PROPERTY COORDSIM_LAYER_TABLE
    "    {\"target\": \"${target}\", \"folder\": \"${folder}\", \"excludes\": [${excluded}], \"links\": [${lower}]}")
endfunction()

# Writes the table coordsim_layer collected; call once, after every layer.
function(coordsim_write_layer_table)
  get_property(rows GLOBAL PROPERTY COORDSIM_LAYER_TABLE)
  list(JOIN rows ",\n" body)
  file(WRITE "${CMAKE_BINARY_DIR}/coordsim-layers.json" "{\"layers\": [\n${body}\n]}\n")
endfunction()
