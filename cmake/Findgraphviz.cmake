# Findgraphviz: Graphviz's layout library (libgvc with libcgraph), which lays out the path diagram;
# Debian's libgraphviz-dev ships pkg-config files but no CMake config. Defines the imported target
# graphviz::gvc. Used by the build and by csiplsConfig.cmake (a static csipls links it privately,
# so its consumers need the target too).
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(GRAPHVIZ_PC QUIET libgvc libcgraph)
endif()
find_path(GRAPHVIZ_INCLUDE_DIR graphviz/gvc.h HINTS ${GRAPHVIZ_PC_INCLUDE_DIRS})
find_library(GRAPHVIZ_GVC_LIBRARY gvc HINTS ${GRAPHVIZ_PC_LIBRARY_DIRS})
find_library(GRAPHVIZ_CGRAPH_LIBRARY cgraph HINTS ${GRAPHVIZ_PC_LIBRARY_DIRS})
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(graphviz REQUIRED_VARS GRAPHVIZ_GVC_LIBRARY GRAPHVIZ_CGRAPH_LIBRARY GRAPHVIZ_INCLUDE_DIR)
if(graphviz_FOUND AND NOT TARGET graphviz::gvc)
  add_library(graphviz::gvc UNKNOWN IMPORTED)
  set_target_properties(graphviz::gvc PROPERTIES IMPORTED_LOCATION "${GRAPHVIZ_GVC_LIBRARY}"
                        INTERFACE_INCLUDE_DIRECTORIES "${GRAPHVIZ_INCLUDE_DIR}"
                        INTERFACE_LINK_LIBRARIES "${GRAPHVIZ_CGRAPH_LIBRARY}")
endif()
mark_as_advanced(GRAPHVIZ_INCLUDE_DIR GRAPHVIZ_GVC_LIBRARY GRAPHVIZ_CGRAPH_LIBRARY)
