#pragma once
// csipls: the whole public API, every layer: core (model, data, PLS estimation, bootstrap, CSI
// indices, assessment), io (readers and writers), study (run_study, its options and files) and
// report (the HTML report, the Excel workbook and the path diagram). Link csipls::csipls (find_package(csipls CONFIG)).

#include "csipls/version.hpp"

#include "csipls/core/assessment.hpp"
#include "csipls/core/bootstrap.hpp"
#include "csipls/core/consistent.hpp"
#include "csipls/core/csi_index.hpp"
#include "csipls/core/dataset.hpp"
#include "csipls/core/enum_names.hpp"
#include "csipls/core/error.hpp"
#include "csipls/core/estimate.hpp"
#include "csipls/core/fit_test.hpp"
#include "csipls/core/groups.hpp"
#include "csipls/core/index_change.hpp"
#include "csipls/core/index_table.hpp"
#include "csipls/core/ipma.hpp"
#include "csipls/core/missing.hpp"
#include "csipls/core/model.hpp"
#include "csipls/core/moments.hpp"
#include "csipls/core/options.hpp"
#include "csipls/core/practice_indices.hpp"
#include "csipls/core/prediction.hpp"
#include "csipls/core/simulate.hpp"

#include "csipls/io/compare_io.hpp"
#include "csipls/io/csv.hpp"
#include "csipls/io/data_reader.hpp"
#include "csipls/io/file_util.hpp"
#include "csipls/io/json.hpp"
#include "csipls/io/model_file.hpp"
#include "csipls/io/practice_io.hpp"
#include "csipls/io/result_writers.hpp"
#include "csipls/io/sav.hpp"

#include "csipls/study/option_table.hpp"
#include "csipls/study/study.hpp"
#include "csipls/study/study_files.hpp"
#include "csipls/study/study_options.hpp"

#include "csipls/report/report.hpp"
#include "csipls/report/xlsx.hpp"
