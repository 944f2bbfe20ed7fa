// Report rendering time: a 300-group index table with bootstrap intervals (the scale), and
// the 6-construct CCSI result with 1000 bootstrap draws per path for the histograms.
#include <benchmark/benchmark.h>

#include <cmath>

#include "csipls/report/report.hpp"

namespace {

csipls::Json grouped_result(int groups) {
    const std::vector<std::string> names = {"品牌形象", "预期质量", "感知质量", "感知价值", "顾客满意", "顾客忠诚"};
    const std::vector<std::pair<int, int>> paths = {{0, 1}, {0, 2}, {1, 2}, {1, 3}, {2, 3}, {0, 4}, {1, 4}, {2, 4}, {3, 4}, {0, 5}, {4, 5}};
    csipls::Json result;
    result["engine"] = {{"name", "csipls"}, {"version", "bench"}, {"commit", "bench"}};
    for (const auto& [from, to] : paths)
        result["paths"].push_back({{"from", names[from]}, {"to", names[to]}, {"estimate", 0.3}});
    for (std::size_t c = 0; c < names.size(); ++c)
        for (int k = 0; k < 3; ++k) {
            const std::string indicator = "Q" + std::to_string(c) + std::to_string(k);
            result["outer_weights"][names[c]][indicator] = 0.4;
            result["loadings"][names[c]][indicator] = 0.85;
        }
    csipls::Json table{{"constructs", names}, {"ci_level", 0.95}};
    for (int g = -1; g < groups; ++g) {
        csipls::Json row{{"group", g < 0 ? "(all)" : "Company " + std::to_string(g)}, {"level", g < 0 ? "all" : "group"}, {"n_obs", 250}};
        for (const auto& name : names) {
            const double value = 70 + 5 * std::sin(g + 1.0);
            row["index"][name] = value;
            row["se"][name] = 1.0;
            row["ci_lower"][name] = value - 2;
            row["ci_upper"][name] = value + 2;
        }
        table["rows"].push_back(row);
    }
    result["index_table"] = table;
    return result;
}

void BM_ReportThreeHundredGroups(benchmark::State& state) {
    const csipls::Json result = grouped_result(static_cast<int>(state.range(0)));
    std::size_t bytes = 0;
    for (auto _ : state) {
        const std::string html = csipls::render_html_report(result, nullptr);
        bytes = html.size();
        benchmark::DoNotOptimize(html.data());
    }
    state.counters["html_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_ReportThreeHundredGroups)->Arg(300)->Unit(benchmark::kMillisecond);

void BM_ReportWithDraws(benchmark::State& state) {
    const csipls::Json result = grouped_result(0);
    csipls::ReportDraws draws;
    for (const auto& path : result["paths"]) {
        draws.labels.push_back(path["to"].get<std::string>() + " ~ " + path["from"].get<std::string>());
        std::vector<double> column;
        for (int r = 0; r < state.range(0); ++r) column.push_back(0.3 + 0.05 * std::sin(r * 0.7));
        draws.columns.push_back(column);
    }
    for (auto _ : state) benchmark::DoNotOptimize(csipls::render_html_report(result, &draws));
}
BENCHMARK(BM_ReportWithDraws)->Arg(1000)->Unit(benchmark::kMillisecond);

// The path diagram's layout (Graphviz's dot in process, then our placement of indicators, labels
// and path ends) of a 20-construct model: 5 layers of 4, each construct fed by two of the layer
// before, plus paths that skip layers; every path labelled. The bar is 100 ms.
void BM_DiagramLayoutTwentyConstructs(benchmark::State& state) {
    csipls::DiagramModel model;
    for (int c = 0; c < 20; ++c) {
        csipls::DiagramConstruct construct;
        construct.name = "Construct " + std::to_string(c);
        for (int k = 1; k <= 3 + c % 3; ++k) {
            construct.indicators.push_back("Q" + std::to_string(c) + "_" + std::to_string(k));
            construct.indicator_values.push_back(0.8);
        }
        construct.has_r2 = c >= 4;
        construct.r2 = 0.5;
        model.constructs.push_back(construct);
    }
    for (int layer = 1; layer < 5; ++layer)
        for (int k = 0; k < 4; ++k) {
            model.paths.push_back({4 * (layer - 1) + k, 4 * layer + k, true, 0.41, true, 0.001});
            model.paths.push_back({4 * (layer - 1) + (k + 1) % 4, 4 * layer + k, true, -0.12, true, 0.03});
        }
    for (const auto& [from, to] : {std::pair{0, 9}, {1, 14}, {2, 19}, {4, 18}, {3, 12}, {7, 17}})
        model.paths.push_back({from, to, true, 0.2, true, 0.2});
    for (auto _ : state) benchmark::DoNotOptimize(csipls::layout_diagram(model));
}
BENCHMARK(BM_DiagramLayoutTwentyConstructs)->Unit(benchmark::kMillisecond);

}  // namespace
