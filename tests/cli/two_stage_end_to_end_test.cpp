// End-to-end tests of interaction terms and higher-order constructs through the command line:
// agreement with seminr's public references (../shared/reference), the bootstrap of the
// interaction and its simple slopes for any thread count, the repeated-indicators approach, and the
// refusals of bad models and options.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_harness.hpp"

#ifndef CSIPLS_SHARED_DIR
#error "CSIPLS_SHARED_DIR must name the shared data folder"
#endif

namespace {

using namespace csipls::cli_test;
using json = nlohmann::json;
using testing::HasSubstr;

const fs::path shared_dir = CSIPLS_SHARED_DIR;
const fs::path moderation_model = source_dir / "validation" / "moderation_corp_rep" / "model.model";
const fs::path hoc_model = source_dir / "validation" / "hoc_mobi_performance" / "model.model";
constexpr double tolerance = 1e-6;

// seminr names the interaction construct CUSA*SC and its indicator CUSA*SC_intxn; csipls CUSA:SC and CUSA*SC.
std::string ours(const std::string& reference_name) {
    if (reference_name == "CUSA*SC") return "CUSA:SC";
    if (reference_name == "CUSA*SC_intxn") return "CUSA*SC";
    return reference_name;
}

double path_of(const json& paths, const std::string& from, const std::string& to) {
    for (const auto& path : paths)
        if (path["from"] == from && path["to"] == to) return path["estimate"].get<double>();
    ADD_FAILURE() << "no path " << from << " -> " << to;
    return 0;
}

void expect_paths(const json& reference, const json& result) {
    ASSERT_FALSE(reference.empty());
    for (const auto& path : reference)
        EXPECT_NEAR(path_of(result, ours(path["from"]), ours(path["to"])), path["estimate"].get<double>(), tolerance)
            << path["from"] << " -> " << path["to"];
    EXPECT_EQ(result.size(), reference.size()) << "every path of the reference, and no other";
}

void expect_per_construct(const json& reference, const json& result, const std::string& what) {
    ASSERT_FALSE(reference.empty()) << what;
    for (const auto& [construct, value] : reference.items()) {
        ASSERT_TRUE(result.contains(ours(construct))) << what << " of " << construct;
        EXPECT_NEAR(result[ours(construct)].get<double>(), value.get<double>(), tolerance) << what << " of " << construct;
    }
}

// {construct: {indicator: value}}, every row of the reference.
void expect_per_indicator(const json& reference, const json& result, const std::string& what) {
    ASSERT_FALSE(reference.empty()) << what;
    for (const auto& [construct, rows] : reference.items())
        for (const auto& [indicator, value] : rows.items()) {
            ASSERT_TRUE(result.contains(ours(construct)) && result[ours(construct)].contains(ours(indicator)))
                << what << " " << construct << " / " << indicator;
            EXPECT_NEAR(result[ours(construct)][ours(indicator)].get<double>(), value.get<double>(), tolerance)
                << what << " " << construct << " / " << indicator;
        }
}

class TwoStageCli : public CliHarness {
protected:
    TwoStageCli() : CliHarness("csipls_two_stage_e2e", 120) {}

    // Runs an estimate writing `out`, returns the JSON result.
    json estimate(std::vector<std::string> args, const std::string& out) {
        args.insert(args.begin(), "estimate");
        args.insert(args.end(), {"--out", (dir_ / out).string()});
        const RunResult r = run(args);
        EXPECT_EQ(r.exit_code, 0) << r;
        return json::parse(read_file(dir_ / out));
    }

    // The message of a run that must fail.
    std::string refusal(const std::string& model_name, const std::string& text, std::vector<std::string> extra = {}) {
        const fs::path model = write(model_name, text);
        std::vector<std::string> args{"estimate", "--model", model.string(), "--data", ccsi_data.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        const RunResult r = run(args);
        EXPECT_NE(r.exit_code, 0) << model_name << " was accepted";
        return r.err;
    }
};

TEST_F(TwoStageCli, ModerationAgreesWithSeminr) {
    const fs::path data = shared_dir / "data" / "corp_rep_data.csv";
    const fs::path reference_file = shared_dir / "reference" / "moderation_corp_rep_two_stage.json";
    if (!fs::exists(data) || !fs::exists(reference_file)) GTEST_SKIP() << shared_dir << " with corp_rep_data.csv and its reference is absent";
    const json reference = json::parse(read_file(reference_file))["results"];
    const json result = estimate({"--model", moderation_model.string(), "--data", data.string(), "--missing", "-99"}, "moderation.json");

    expect_paths(reference["path_coefficients"], result["paths"]);
    EXPECT_NEAR(path_of(result["paths"], "CUSA:SC", "CUSL"), -0.0736, 1e-4);
    expect_per_construct(reference["r2"], result["r2"], "R²");
    expect_per_construct(reference["r2_adj"], result["r2_adj"], "adjusted R²");
    expect_per_indicator(reference["outer_weights"], result["outer_weights"], "outer weight");
    expect_per_indicator(reference["loadings"], result["loadings"], "loading");

    const double a = reference["interaction_score_adjustment_factor"].get<double>();
    EXPECT_NEAR(result["loadings"]["CUSA:SC"]["CUSA*SC"].get<double>(), a, tolerance) << "the interaction's loading is a";
    const json& interaction = result["two_stage"]["interactions"][0];
    EXPECT_EQ(interaction["name"], "CUSA:SC");
    EXPECT_NEAR(interaction["scale_factor"].get<double>(), a, tolerance);
    EXPECT_NEAR(interaction["paths_standardized"][0]["estimate"].get<double>(), reference["interaction_path_standardized"].get<double>(),
                tolerance);
    EXPECT_NEAR(interaction["paths_standardized"][0]["estimate"].get<double>(), -0.08692, 1e-5);
}

TEST_F(TwoStageCli, HigherOrderConstructAgreesWithSeminr) {
    const fs::path data = shared_dir / "data" / "mobi.csv";
    const fs::path reference_file = shared_dir / "reference" / "hoc_mobi_performance_two_stage_seminr.json";
    if (!fs::exists(data) || !fs::exists(reference_file)) GTEST_SKIP() << shared_dir << " with mobi.csv and its reference is absent";
    const json reference = json::parse(read_file(reference_file))["results"];
    const json result = estimate({"--model", hoc_model.string(), "--data", data.string()}, "hoc.json");
    EXPECT_EQ(result["two_stage"]["higher_order"][0]["lower_order_modes"], json::array({"A", "A"}));

    const json& stage2 = reference["stage2"];
    expect_paths(stage2["path_coefficients"], result["paths"]);
    expect_per_construct(stage2["r2"], result["r2"], "R²");
    expect_per_construct(stage2["r2_adj"], result["r2_adj"], "adjusted R²");
    expect_per_indicator(stage2["outer_weights"], result["outer_weights"], "outer weight");
    expect_per_indicator(stage2["loadings"], result["loadings"], "loading");
    // Performance's rows name its lower-order constructs.
    EXPECT_TRUE(result["outer_weights"]["Performance"].contains("Quality"));
    EXPECT_TRUE(result["loadings"]["Performance"].contains("Value"));

    const json& stage1 = reference["stage1"];
    const json& ours1 = result["two_stage"]["stage1"];
    expect_paths(stage1["path_coefficients"], ours1["paths"]);
    expect_per_indicator(stage1["outer_weights"], ours1["outer_weights"], "stage-1 outer weight");
    expect_per_indicator(stage1["loadings"], ours1["loadings"], "stage-1 loading");
    EXPECT_EQ(result["two_stage"]["higher_order"][0]["construct"], "Performance");
}

TEST_F(TwoStageCli, BootstrapOfTheInteractionIsTheSameForAnyThreadCount) {
    const fs::path data = shared_dir / "data" / "corp_rep_data.csv";
    if (!fs::exists(data)) GTEST_SKIP() << data << " is absent";
    const std::vector<std::string> args{"--model", moderation_model.string(), "--data", data.string(), "--missing", "-99",
                                        "--bootstrap", "100", "--seed", "7"};
    auto with_threads = [&](const std::string& threads, const std::string& out) {
        std::vector<std::string> all = args;
        all.insert(all.end(), {"--threads", threads});
        const RunResult r = run([&] {
            std::vector<std::string> full{"estimate"};
            full.insert(full.end(), all.begin(), all.end());
            full.insert(full.end(), {"--out", (dir_ / out).string()});
            return full;
        }());
        EXPECT_EQ(r.exit_code, 0) << r;
        return read_file(dir_ / out);
    };
    const std::string one = with_threads("1", "one.json"), two = with_threads("2", "two.json");
    EXPECT_EQ(one, two) << "byte-identical results for 1 and 2 threads";

    const json result = json::parse(one);
    bool interaction_row = false;
    for (const auto& row : result["bootstrap"]["paths"])
        if (row["from"] == "CUSA:SC" && row["to"] == "CUSL") {
            interaction_row = true;
            EXPECT_GT(row["se"].get<double>(), 0);
        }
    EXPECT_TRUE(interaction_row) << "a bootstrap row for the interaction path";
    ASSERT_EQ(result["simple_slopes"].size(), 3u);
    for (const auto& slope : result["simple_slopes"]) {
        EXPECT_EQ(slope["interaction"], "CUSA:SC");
        ASSERT_TRUE(slope["se"].is_number()) << slope.dump();
        EXPECT_GT(slope["se"].get<double>(), 0);
        EXPECT_LT(slope["ci_lower"].get<double>(), slope["ci_upper"].get<double>());
    }
}

TEST_F(TwoStageCli, RepeatedIndicatorsRunOnTheHigherOrderModel) {
    const fs::path data = shared_dir / "data" / "mobi.csv";
    if (!fs::exists(data)) GTEST_SKIP() << data << " is absent";
    const json result = estimate({"--model", hoc_model.string(), "--data", data.string(), "--higher-order", "repeated"}, "repeated.json");
    EXPECT_EQ(result["two_stage"]["higher_order_approach"], "repeated");
    ASSERT_TRUE(result["outer_weights"].contains("Performance"));
    EXPECT_TRUE(result["outer_weights"]["Performance"].contains("Performance_2nd_PERQ1"));
    EXPECT_NE(path_of(result["paths"], "Performance", "Satisfaction"), 0);
}

// The diagram of the estimated model draws both levels: Quality and Value as constructs with their
// items, Performance's arrows to them labelled with its stage-2 loadings.
TEST_F(TwoStageCli, HigherOrderDiagramDrawsBothLevels) {
    const fs::path data = shared_dir / "data" / "mobi.csv";
    if (!fs::exists(data)) GTEST_SKIP() << data << " is absent";
    const fs::path svg = dir_ / "hoc.svg", dot = dir_ / "hoc.dot";
    const RunResult r = run({"diagram", "--model", hoc_model.string(), "--data", data.string(), "--svg", svg.string(), "--dot", dot.string()});
    ASSERT_EQ(r.exit_code, 0) << r;
    const std::string drawing = read_file(svg);
    EXPECT_THAT(drawing, HasSubstr("data-name=\"Quality\" data-mode=\"reflective\""));
    EXPECT_THAT(drawing, HasSubstr("data-construct=\"Quality\" data-indicator=\"PERQ7\""));
    EXPECT_THAT(drawing, HasSubstr("data-construct=\"Value\" data-indicator=\"PERV2\""));
    EXPECT_THAT(drawing, testing::Not(HasSubstr("data-indicator=\"Quality\"")));
    for (const auto& [lower, loading] : {std::pair{"Quality", "0.924"}, std::pair{"Value", "0.850"}}) {
        const auto link = drawing.find(std::string("data-from=\"Performance\" data-to=\"") + lower + "\"");
        ASSERT_NE(link, std::string::npos) << lower;
        EXPECT_THAT(drawing.substr(link, drawing.find("</g>", link) - link), HasSubstr(std::string(">") + loading + "</text>"));
    }
    EXPECT_THAT(read_file(dot), HasSubstr("  \"c:Quality\" -> \"c:Performance\" [color=\"#2f5d9b\", dir=back, label=\"0.924\"];\n"));
}

TEST_F(TwoStageCli, BadModelsNameTheFileAndLine) {
    const std::string blocks = "A =~ BI1 + BI2\nM =~ EQ1 + EQ2\nB =~ SAT1 + SAT2\n";
    EXPECT_THAT(refusal("self.model", blocks + "B ~ A + A:A\n"), HasSubstr("self.model:4:"));
    EXPECT_THAT(refusal("undefined.model", blocks + "B ~ A + A:Z\n"), HasSubstr("undefined.model:4:"));
    EXPECT_THAT(refusal("left.model", blocks + "A:M ~ B\n"), HasSubstr("left.model:4:"));
    EXPECT_THAT(refusal("colon.model", "A =~ BI:1 + BI2\nB =~ SAT1 + SAT2\nB ~ A\n"), HasSubstr("colon.model:1:"));
    EXPECT_THAT(refusal("one_loc.model", blocks + "H =~ A\nB ~ H\n"), HasSubstr("one_loc.model:4:"));
    EXPECT_THAT(refusal("twice.model", blocks + "C =~ PQ1 + PQ2\nH1 =~ A + M\nH2 =~ A + C\nB ~ H1 + H2\n"), HasSubstr("twice.model:6:"));
    EXPECT_THAT(refusal("cycle.model", blocks + "H =~ A + M\nB ~ H\nA ~ B\n"), HasSubstr("cycle.model:6:"));
}

TEST_F(TwoStageCli, OptionsThatCannotWorkAreRefused) {
    const std::string product = "B ~ A + M + A:M\n";
    EXPECT_THAT(refusal("formative.model", "A <~ BI1 + BI2\nM =~ EQ1 + EQ2\nB =~ SAT1 + SAT2\n" + product,
                        {"--interaction", "product-indicator"}),
                AllOf(HasSubstr("formative.model:4:"), HasSubstr("formative")));
    EXPECT_THAT(refusal("grouped.model", "A =~ BI1 + BI2\nM =~ EQ1 + EQ2\nB =~ SAT1 + SAT2\n" + product, {"--group", "BI3"}),
                AllOf(HasSubstr("--group"), HasSubstr("interaction terms")));
}

}  // namespace
