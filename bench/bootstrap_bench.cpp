// Bootstrap benchmarks: 5000 resamples of the ECSI model on mobi, at 1 and 2 threads, and the
// specific indirect effects computed from them.
#include <benchmark/benchmark.h>
#include <filesystem>

#include "csipls/core/bootstrap.hpp"
#include "csipls/core/mediation.hpp"
#include "csipls/io/csv.hpp"
#include "csipls/io/model_file.hpp"

namespace {

void BM_BootstrapMobi5000(benchmark::State& state) {
    const std::string mobi = std::string(CSIPLS_SHARED_DIR) + "/data/mobi.csv";
    if (!std::filesystem::exists(mobi)) {
        state.SkipWithError("../shared/data/mobi.csv is absent");
        return;
    }
    const csipls::Model model = csipls::read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/models/ecsi.model");
    const csipls::Dataset data = csipls::read_csv(mobi, model.all_indicators());
    const csipls::PlsResult original = csipls::estimate(model, csipls::compute_moments(data), csipls::EstimationOptions{});
    csipls::BootstrapOptions options;
    options.resamples = 5000;
    options.threads = static_cast<int>(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(csipls::bootstrap(model, data, original, options));
}
BENCHMARK(BM_BootstrapMobi5000)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

}  // namespace

// The specific indirect effects of the same bootstrap (every route of the ECSI model): the
// products of the paths' draws, summarized; the bar is 20 % of the bootstrap's time.

namespace {

void BM_SpecificIndirectEffectsMobi5000(benchmark::State& state) {
    const std::string mobi = std::string(CSIPLS_SHARED_DIR) + "/data/mobi.csv";
    if (!std::filesystem::exists(mobi)) {
        state.SkipWithError("../shared/data/mobi.csv is absent");
        return;
    }
    const csipls::Model model = csipls::read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/models/ecsi.model");
    const csipls::Dataset data = csipls::read_csv(mobi, model.all_indicators());
    const csipls::PlsResult original = csipls::estimate(model, csipls::compute_moments(data), csipls::EstimationOptions{});
    csipls::BootstrapOptions options;
    options.resamples = 5000;
    const csipls::BootstrapResult boot = csipls::bootstrap(model, data, original, options);
    for (auto _ : state) benchmark::DoNotOptimize(csipls::specific_indirect_effects(original, &boot));
}
BENCHMARK(BM_SpecificIndirectEffectsMobi5000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
