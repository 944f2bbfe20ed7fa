# Findreadstat: SPSS files; Debian's libreadstat-dev ships no CMake config file.
# Defines the imported target readstat::readstat. Used by the build and by csiplsConfig.cmake (a
# static csipls links ReadStat privately, so its consumers need the target too).
find_path(READSTAT_INCLUDE_DIR readstat.h)
find_library(READSTAT_LIBRARY readstat)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(readstat REQUIRED_VARS READSTAT_LIBRARY READSTAT_INCLUDE_DIR)
if(readstat_FOUND AND NOT TARGET readstat::readstat)
  add_library(readstat::readstat UNKNOWN IMPORTED)
  set_target_properties(readstat::readstat PROPERTIES IMPORTED_LOCATION "${READSTAT_LIBRARY}"
                        INTERFACE_INCLUDE_DIRECTORIES "${READSTAT_INCLUDE_DIR}")
endif()
mark_as_advanced(READSTAT_INCLUDE_DIR READSTAT_LIBRARY)
