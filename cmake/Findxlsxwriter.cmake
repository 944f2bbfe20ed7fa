# Findxlsxwriter: Excel workbooks (--xlsx); Debian's libxlsxwriter-dev ships no CMake config file.
# Defines the imported target xlsxwriter::xlsxwriter. Used by the build and by csiplsConfig.cmake (a
# static csipls links libxlsxwriter privately, so its consumers need the target too).
find_path(XLSXWRITER_INCLUDE_DIR xlsxwriter.h)
find_library(XLSXWRITER_LIBRARY xlsxwriter)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(xlsxwriter REQUIRED_VARS XLSXWRITER_LIBRARY XLSXWRITER_INCLUDE_DIR)
if(xlsxwriter_FOUND AND NOT TARGET xlsxwriter::xlsxwriter)
  add_library(xlsxwriter::xlsxwriter UNKNOWN IMPORTED)
  set_target_properties(xlsxwriter::xlsxwriter PROPERTIES IMPORTED_LOCATION "${XLSXWRITER_LIBRARY}"
                        INTERFACE_INCLUDE_DIRECTORIES "${XLSXWRITER_INCLUDE_DIR}")
endif()
mark_as_advanced(XLSXWRITER_INCLUDE_DIR XLSXWRITER_LIBRARY)
