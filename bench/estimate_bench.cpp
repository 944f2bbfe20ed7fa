// Estimation benchmarks on the mobi data (250 × 24, ECSI model): the compute alone, the data pass,
// and read + estimate together. Whole-process and 1M-row timings are in bench/run_large.sh.
#include <benchmark/benchmark.h>
#include <filesystem>

#include "csipls/core/estimate.hpp"
#include "csipls/io/model_file.hpp"
#include "csipls/io/csv.hpp"

namespace {

const std::string mobi_path = std::string(CSIPLS_SHARED_DIR) + "/data/mobi.csv";
const std::string model_path = std::string(CSIPLS_SOURCE_DIR) + "/models/ecsi.model";

bool have_mobi(benchmark::State& state) {
    if (std::filesystem::exists(mobi_path)) return true;
    state.SkipWithError("../shared/data/mobi.csv is absent");
    return false;
}

void BM_EstimateFromCorrelations(benchmark::State& state) {
    if (!have_mobi(state)) return;
    const csipls::Model model = csipls::read_model_file(model_path);
    const csipls::IndicatorMoments moments = csipls::compute_moments(csipls::read_csv(mobi_path, model.all_indicators()));
    csipls::EstimationOptions options;
    for (auto _ : state) benchmark::DoNotOptimize(csipls::estimate(model, moments, options));
}
BENCHMARK(BM_EstimateFromCorrelations)->Unit(benchmark::kMicrosecond);

void BM_Moments(benchmark::State& state) {
    if (!have_mobi(state)) return;
    const csipls::Model model = csipls::read_model_file(model_path);
    const csipls::Dataset data = csipls::read_csv(mobi_path, model.all_indicators());
    for (auto _ : state) benchmark::DoNotOptimize(csipls::compute_moments(data));
}
BENCHMARK(BM_Moments)->Unit(benchmark::kMicrosecond);

void BM_ReadAndEstimate(benchmark::State& state) {
    if (!have_mobi(state)) return;
    csipls::EstimationOptions options;
    for (auto _ : state) {
        const csipls::Model model = csipls::read_model_file(model_path);
        const csipls::Dataset data = csipls::read_csv(mobi_path, model.all_indicators());
        benchmark::DoNotOptimize(csipls::estimate(model, csipls::compute_moments(data), options));
    }
}
BENCHMARK(BM_ReadAndEstimate)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
