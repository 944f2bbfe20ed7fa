// Two-stage benchmark: 5000 bootstrap resamples of the primer's corporate-reputation model with
// switching costs moderating CUSA → CUSL (two-stage interaction), each resample re-running stage 1,
// through run_study at 1 and 2 threads. The bar is 1 s on 2 cores. And the group tests of
// the same model by service type (two groups), where every relabelled group re-runs stage 1, against
// the model without the interaction (one stage).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>

#include "csipls/core/missing.hpp"
#include "csipls/io/csv.hpp"
#include "csipls/io/model_file.hpp"
#include "csipls/study/study.hpp"

namespace {

void BM_ModeratedPrimerBootstrap5000(benchmark::State& state) {
    const std::string data_path = std::string(CSIPLS_SHARED_DIR) + "/data/corp_rep_data.csv";
    if (!std::filesystem::exists(data_path)) {
        state.SkipWithError("../shared/data/corp_rep_data.csv is absent");
        return;
    }
    const csipls::Model model = csipls::read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/validation/moderation_corp_rep/model.model");
    csipls::CsvOptions csv;
    csv.missing_codes = {-99};
    const csipls::Dataset data = csipls::read_csv(data_path, model.items(), csv);
    csipls::StudyOptions options;
    options.bootstrap.resamples = 5000;
    options.threads = static_cast<int>(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(csipls::run_study(model, data, options));
}
BENCHMARK(BM_ModeratedPrimerBootstrap5000)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

// range(0): 1 with the interaction term (two stages), 0 without it (one stage); 2 threads.
void BM_ModeratedPrimerGroupTests1000(benchmark::State& state) {
    const std::string data_path = std::string(CSIPLS_SHARED_DIR) + "/data/corp_rep_data.csv";
    if (!std::filesystem::exists(data_path)) {
        state.SkipWithError("../shared/data/corp_rep_data.csv is absent");
        return;
    }
    csipls::Model model = csipls::read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/validation/moderation_corp_rep/model.model");
    if (state.range(0) == 0) std::erase_if(model.paths, [&](const auto& path) { return model.construct_index(path.from) < 0; });
    csipls::CsvOptions csv;
    csv.missing_codes = {-99};
    csv.group_column = "servicetype";
    csipls::Dataset data = csipls::read_csv(data_path, model.items(), csv);
    data = csipls::complete_cases(data);  // the same respondents in both runs
    csipls::StudyOptions options;
    options.data.group = "servicetype";
    options.groups.permutations = 1000;
    options.groups.micom = true;
    options.groups.mga = {csipls::MgaTest::permutation};
    options.threads = 2;
    for (auto _ : state) benchmark::DoNotOptimize(csipls::run_study(model, data, options));
}
BENCHMARK(BM_ModeratedPrimerGroupTests1000)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

}  // namespace
