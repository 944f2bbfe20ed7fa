// Bootstrap benchmarks: 5000 resamples of the ECSI model on mobi, at 1 and 2 threads, and the
// specific indirect effects computed from them.
#include <benchmark/benchmark.h>
#include <filesystem>
#include <optional>

#include "csipls/core/bootstrap.hpp"
#include "csipls/core/mediation.hpp"
#include "csipls/io/csv.hpp"
#include "csipls/io/model_file.hpp"

namespace {

struct EcsiOnMobi {
    csipls::Model model;
    csipls::Dataset data;
    csipls::PlsResult original;
};

// The ECSI model estimated on mobi; nothing when ../shared is absent (the benchmark says so).
std::optional<EcsiOnMobi> ecsi_on_mobi(benchmark::State& state) {
    const std::string mobi = std::string(CSIPLS_SHARED_DIR) + "/data/mobi.csv";
    if (!std::filesystem::exists(mobi)) {
        state.SkipWithError("../shared/data/mobi.csv is absent");
        return std::nullopt;
    }
    EcsiOnMobi out;
    out.model = csipls::read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/models/ecsi.model");
    out.data = csipls::read_csv(mobi, out.model.all_indicators());
    out.original = csipls::estimate(out.model, csipls::compute_moments(out.data), csipls::EstimationOptions{});
    return out;
}

void BM_BootstrapMobi5000(benchmark::State& state) {
    const auto ecsi = ecsi_on_mobi(state);
    if (!ecsi) return;
    csipls::BootstrapOptions options;
    options.resamples = 5000;
    options.threads = static_cast<int>(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(csipls::bootstrap(ecsi->model, ecsi->data, ecsi->original, options));
}
BENCHMARK(BM_BootstrapMobi5000)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

// The specific indirect effects of the same bootstrap (every route of the ECSI model): the
// products of the paths' draws, summarized; the bar is 20 % of the bootstrap's time.
void BM_SpecificIndirectEffectsMobi5000(benchmark::State& state) {
    const auto ecsi = ecsi_on_mobi(state);
    if (!ecsi) return;
    csipls::BootstrapOptions options;
    options.resamples = 5000;
    const csipls::BootstrapResult boot = csipls::bootstrap(ecsi->model, ecsi->data, ecsi->original, options);
    for (auto _ : state) benchmark::DoNotOptimize(csipls::specific_indirect_effects(ecsi->original, &boot));
}
BENCHMARK(BM_SpecificIndirectEffectsMobi5000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
