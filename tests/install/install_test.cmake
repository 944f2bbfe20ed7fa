# The installed package works for a consumer: installs the build into a scratch prefix, configures
# examples/ against it with find_package(csipls CONFIG), builds estimate_index and runs it on the
# bundled CCSI model and data. Run by ctest (label `install`) after the build:
#   cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DCONFIG=... -DCXX=... -DGENERATOR=...
#         [-DLAUNCHER=...] [-DCXX_FLAGS=...] [-DCXX_FLAGS_CONFIG=...] [-DLINKER_FLAGS=...]
#         -P install_test.cmake
# The compiler, launcher, flags (the asan build's sanitizer flags) and build type are the build's,
# so the consumer is compiled and linked as the libraries were.
foreach(var BUILD_DIR SOURCE_DIR WORK_DIR CONFIG CXX GENERATOR)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "install_test.cmake: -D${var}=... is required")
  endif()
endforeach()

function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "install test: ${step} failed (${rc}):\n${ARGN}\n${out}\n${err}")
  endif()
  set(step_output "${out}${err}" PARENT_SCOPE)
endfunction()

set(prefix ${WORK_DIR}/prefix)
set(consumer ${WORK_DIR}/consumer)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

run("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --config ${CONFIG})
foreach(file include/csipls/csipls.hpp include/csipls/version.hpp include/csipls/study/study.hpp
             bin/csipls)
  if(NOT EXISTS ${prefix}/${file})
    message(FATAL_ERROR "install test: ${prefix}/${file} was not installed")
  endif()
endforeach()
file(GLOB_RECURSE config_files ${prefix}/*/csiplsConfig.cmake)
if(NOT config_files)
  message(FATAL_ERROR "install test: no csiplsConfig.cmake under ${prefix}")
endif()

set(configure_args -S ${SOURCE_DIR}/examples -B ${consumer} -G ${GENERATOR}
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=${CONFIG}
    "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}")
if(CXX_FLAGS_CONFIG)
  string(TOUPPER "${CONFIG}" config_upper)
  list(APPEND configure_args "-DCMAKE_CXX_FLAGS_${config_upper}=${CXX_FLAGS_CONFIG}")
endif()
if(LAUNCHER)
  list(APPEND configure_args "-DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER}")
endif()
run("configuring examples/" ${CMAKE_COMMAND} ${configure_args})
run("building examples/" ${CMAKE_COMMAND} --build ${consumer} --config ${CONFIG})

run("estimate_index" ${consumer}/estimate_index ${SOURCE_DIR}/models/ccsi.model
    ${SOURCE_DIR}/data/ccsi_example.csv)
message(STATUS "estimate_index printed:\n${step_output}")
if(NOT step_output MATCHES "Satisfaction index \\([^)]+\\): [0-9]+(\\.[0-9]+)?\n")
  message(FATAL_ERROR "install test: no satisfaction index line in the output above")
endif()
if(NOT step_output MATCHES "usable: (true|false)")
  message(FATAL_ERROR "install test: no `usable:` line in the output above")
endif()

# A wrong file is an error with a message and a non-zero exit, not a crash.
execute_process(COMMAND ${consumer}/estimate_index ${SOURCE_DIR}/models/no-such.model
                        ${SOURCE_DIR}/data/ccsi_example.csv
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 1 OR NOT err MATCHES "^estimate_index: .*no-such\\.model")
  message(FATAL_ERROR "install test: a missing model file gave exit ${rc}:\n${out}${err}")
endif()
message(STATUS "install test: passed")
