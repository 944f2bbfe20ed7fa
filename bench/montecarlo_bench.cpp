// Monte Carlo benchmarks: replications per second of the ECSI population (examples/cluster) at
// n = 250 with PLS, everything included (data generation, moments, estimation, assessment), with
// no bootstrap and with 200 resamples per replication; 1 and 2 threads; and one block of a
// 2-shard split against the whole (the shards of a cluster run each do half).
#include <benchmark/benchmark.h>

#include "csipls/core/montecarlo.hpp"
#include "csipls/io/model_file.hpp"

namespace {

csipls::MonteCarloPlan ecsi_plan(int replications, int bootstrap, int threads) {
    csipls::MonteCarloDesign design;
    design.population = csipls::read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/examples/cluster/ecsi_population.model");
    design.analysis = design.population;
    csipls::MonteCarloCondition condition;
    condition.n = 250;
    design.conditions = {condition};
    design.replications = replications;
    design.block_size = replications;
    design.bootstrap = bootstrap;
    design.threads = threads;
    return csipls::plan_monte_carlo(design);
}

// One block of `replications` per iteration; the counter gives replications per second.
void run_block(benchmark::State& state, int replications, int bootstrap) {
    const auto plan = ecsi_plan(replications, bootstrap, static_cast<int>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(csipls::run_monte_carlo_block(plan, 0, 0));
    state.counters["replications_per_s"] =
        benchmark::Counter(static_cast<double>(replications) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_MonteCarloEcsi250(benchmark::State& state) { run_block(state, 2000, 0); }
BENCHMARK(BM_MonteCarloEcsi250)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void BM_MonteCarloEcsi250Bootstrap200(benchmark::State& state) { run_block(state, 20, 200); }
BENCHMARK(BM_MonteCarloEcsi250Bootstrap200)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

}  // namespace
