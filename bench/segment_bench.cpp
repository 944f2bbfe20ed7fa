// Hidden-segment benchmarks on the CCSI example (data/ccsi_example.csv, 500 respondents, 6
// constructs, 11 paths): FIMIX-PLS for K = 1 … 6 with 10 starts each, and PLS-POS for K = 2 with
// 10 starts, at 1 and 2 threads. The construct scores are computed once, outside the timing.
#include <benchmark/benchmark.h>

#include "csipls/core/estimate.hpp"
#include "csipls/core/moments.hpp"
#include "csipls/core/segmentation.hpp"
#include "csipls/io/csv.hpp"
#include "csipls/io/model_file.hpp"

namespace {

struct Ccsi {
    csipls::Model model = csipls::read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/models/ccsi.model");
    csipls::Dataset data = csipls::read_csv(std::string(CSIPLS_SOURCE_DIR) + "/data/ccsi_example.csv", model.all_indicators(), {});
    csipls::IndicatorMoments moments = csipls::compute_moments(data);
    csipls::PlsResult result = csipls::estimate(model, moments, {});
    Eigen::MatrixXd scores = csipls::construct_scores(result, moments, data);
};

const Ccsi& ccsi() {
    static const Ccsi data;
    return data;
}

void BM_FimixCcsiK1to6Starts10(benchmark::State& state) {
    csipls::FimixOptions options;
    options.k_min = 1;
    options.k_max = 6;
    options.starts = 10;
    options.threads = static_cast<int>(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(csipls::fimix(ccsi().model, ccsi().scores, options));
}
BENCHMARK(BM_FimixCcsiK1to6Starts10)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_PlsPosCcsiK2Starts10(benchmark::State& state) {
    csipls::PosOptions options;
    options.k = 2;
    options.starts = 10;
    options.threads = static_cast<int>(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(csipls::pls_pos(ccsi().model, ccsi().data, {}, options));
}
BENCHMARK(BM_PlsPosCcsiK2Starts10)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
