// Estimation benchmarks on the mobi data (250 × 24, ECSI model): the compute alone, the data pass,
// and read + estimate together. Whole-process and 1M-row timings are in bench/run_large.sh.
#include <benchmark/benchmark.h>
#include <filesystem>

#include "csipls/core/estimate.hpp"
#include "csipls/io/model_file.hpp"
#include "csipls/io/csv.hpp"
#include "csipls/io/file_util.hpp"
#include "csipls/study/study.hpp"

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

// What csipls.estimate(model_text, data_frame) in Python and csipls::estimate in R do in C++: the
// model parsed from its text and run_study on data in memory with the default options (the
// bindings' overhead is measured against this in bench/bindings_bench.py and .R).
void BM_RunStudyFromMemory(benchmark::State& state) {
    if (!have_mobi(state)) return;
    const std::string model_text = csipls::read_text_file(model_path);
    const csipls::Dataset data = csipls::read_csv(mobi_path, csipls::read_model_file(model_path).all_indicators());
    const csipls::StudyOptions options;
    for (auto _ : state) {
        const csipls::Model model = csipls::parse_model(model_text, "the model");
        csipls::validate_model(model);
        benchmark::DoNotOptimize(csipls::run_study(model, data, options));
    }
}
BENCHMARK(BM_RunStudyFromMemory)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
