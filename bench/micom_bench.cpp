// MICOM benchmark: 5000 permutations on the satisfaction data by gender (250 respondents, 2 groups,
// 6 constructs), the case of ../shared/reference/micom_satisfaction_gender.json, at 1 and 2 threads.
#include <benchmark/benchmark.h>
#include <filesystem>

#include "csipls/core/micom.hpp"
#include "csipls/core/moments.hpp"
#include "csipls/io/csv.hpp"
#include "csipls/io/model_file.hpp"

namespace {

void BM_MicomSatisfactionGender5000(benchmark::State& state) {
    const std::string path = std::string(CSIPLS_SHARED_DIR) + "/data/satisfaction.csv";
    if (!std::filesystem::exists(path)) {
        state.SkipWithError("../shared/data/satisfaction.csv is absent");
        return;
    }
    const csipls::Model model =
        csipls::read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/validation/micom_satisfaction_gender/model.model");
    csipls::CsvOptions csv;
    csv.group_column = "gender";
    const csipls::Dataset data = csipls::read_csv(path, model.all_indicators(), csv);
    const csipls::IndicatorMoments moments = csipls::compute_moments(data);
    const csipls::EstimationOptions estimation;
    const csipls::PlsResult pooled = csipls::estimate(model, moments, estimation);
    const csipls::GroupsResult groups =
        csipls::estimate_groups(model, data, pooled, moments, estimation, {}, csipls::BootstrapOptions{}, csipls::GroupOptions{});
    csipls::MicomOptions options;
    options.permutations = 5000;
    options.seed = 1234;
    options.threads = static_cast<int>(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(csipls::micom(model, data, groups, estimation, {{0, 1}}, options));
}
BENCHMARK(BM_MicomSatisfactionGender5000)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

}  // namespace
