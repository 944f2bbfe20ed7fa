// End-to-end tests of interaction terms and higher-order constructs through the command line:
// agreement with seminr's public references (../shared/reference), the bootstrap of the
// interaction and its simple slopes for any thread count, the repeated-indicators approach, groups
// (each re-running both stages), hidden segments, and the refusals of bad models and options.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>
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

    // mobi with two more columns, QualityScore and ValueScore: the Quality and Value scores of the
    // estimate that `args` (a model and options) ask for.
    fs::path mobi_with_scores(const fs::path& mobi, std::vector<std::string> args) {
        const fs::path scores = dir_ / "scores.csv";
        args.insert(args.begin(), "estimate");
        args.insert(args.end(), {"--data", mobi.string(), "--scores", scores.string()});
        const RunResult r = run(args);
        EXPECT_EQ(r.exit_code, 0) << r;
        std::istringstream items(read_file(mobi)), score_lines(read_file(scores));
        std::string item_line, score_line, merged;
        std::getline(score_lines, score_line);
        std::vector<std::string> header;
        std::istringstream names(score_line);
        for (std::string name; std::getline(names, name, ',');) header.push_back(name);
        const auto quality = std::find(header.begin(), header.end(), "Quality") - header.begin();
        const auto value = std::find(header.begin(), header.end(), "Value") - header.begin();
        EXPECT_LT(std::max(quality, value), static_cast<std::ptrdiff_t>(header.size())) << score_line;
        std::getline(items, item_line);
        merged = item_line + ",QualityScore,ValueScore\n";
        while (std::getline(items, item_line) && std::getline(score_lines, score_line)) {
            std::vector<std::string> cells;
            std::istringstream fields(score_line);
            for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
            merged += item_line + "," + cells[static_cast<std::size_t>(quality)] + "," + cells[static_cast<std::size_t>(value)] + "\n";
        }
        return write("mobi_scores.csv", merged);
    }

    // The higher-order model as a plain one on mobi_with_scores: Performance measured by the scores.
    fs::path plain_hoc_model() {
        std::string model = read_file(hoc_model);
        for (const std::string line : {"Quality      =~ PERQ1 + PERQ2 + PERQ3 + PERQ4 + PERQ5 + PERQ6 + PERQ7\n", "Value        =~ PERV1 + PERV2\n"})
            model.erase(model.find(line), line.size());
        model.replace(model.find("Quality + Value"), std::string("Quality + Value").size(), "QualityScore + ValueScore");
        return write("plain.model", model);
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

// The embedded two-stage approach: stage 1 is the repeated-indicators model, stage 2 a plain model
// whose higher-order construct is measured by the lower-order scores stage 1 gave.
TEST_F(TwoStageCli, EmbeddedApproachMeasuresTheHigherOrderConstructByRepeatedIndicatorScores) {
    const fs::path mobi = shared_dir / "data" / "mobi.csv";
    if (!fs::exists(mobi)) GTEST_SKIP() << mobi << " is absent";
    const json embedded = estimate({"--model", hoc_model.string(), "--data", mobi.string(), "--higher-order", "embedded"}, "embedded.json");
    EXPECT_EQ(embedded["two_stage"]["higher_order_approach"], "embedded");
    EXPECT_TRUE(embedded["two_stage"]["stage1"]["outer_weights"]["Performance"].contains("Performance_2nd_PERV1"));

    // The repeated-indicators scores of Quality and Value as two more columns of mobi.
    const fs::path data = mobi_with_scores(mobi, {"--model", hoc_model.string(), "--higher-order", "repeated"});
    const json plain = estimate({"--model", plain_hoc_model().string(), "--data", data.string()}, "plain.json");
    ASSERT_EQ(plain["paths"].size(), embedded["paths"].size());
    for (const auto& path : plain["paths"])
        EXPECT_NEAR(path_of(embedded["paths"], path["from"], path["to"]), path["estimate"].get<double>(), 1e-9)
            << path["from"] << " -> " << path["to"];
    EXPECT_NEAR(embedded["outer_weights"]["Performance"]["Quality"].get<double>(),
                plain["outer_weights"]["Performance"]["QualityScore"].get<double>(), 1e-9);
    // ... and not the disjoint approach's numbers.
    const json disjoint = estimate({"--model", hoc_model.string(), "--data", mobi.string()}, "disjoint.json");
    EXPECT_GT(std::abs(path_of(disjoint["paths"], "Performance", "Satisfaction") - path_of(embedded["paths"], "Performance", "Satisfaction")),
              1e-4);
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
    const std::string moderated = "A =~ BI1 + BI2\nM =~ EQ1 + EQ2\nB =~ SAT1 + SAT2\n" + product;
    EXPECT_THAT(refusal("pooled.model", moderated, {"--group", "BI3", "--pooled"}), AllOf(HasSubstr("pooled"), HasSubstr("stage 1")));
    EXPECT_THAT(refusal("fit.model", moderated, {"--fit-test", "20"}), AllOf(HasSubstr("--fit-test"), HasSubstr("interaction terms")));
    EXPECT_THAT(refusal("repeated.model", moderated + "C =~ PQ1 + PQ2\nD =~ PV1 + PV2\nH =~ C + D\nB ~ H\n", {"--higher-order", "repeated"}),
                AllOf(HasSubstr("repeated"), HasSubstr("embedded")));
}

// The rows of a CSV file whose `column` holds `value` (and the header), as a new file.
fs::path rows_where(const fs::path& dir, const fs::path& data, const std::string& column, const std::string& value,
                    const std::string& name) {
    std::istringstream lines(read_file(data));
    std::string header, line, out;
    std::getline(lines, header);
    std::vector<std::string> names;
    std::istringstream fields(header);
    for (std::string field; std::getline(fields, field, ',');) names.push_back(field);
    const auto position = static_cast<std::size_t>(std::find(names.begin(), names.end(), column) - names.begin());
    EXPECT_LT(position, names.size()) << column;
    out = header + "\n";
    while (std::getline(lines, line)) {
        std::istringstream cells(line);
        std::string cell;
        for (std::size_t k = 0; k <= position; ++k) std::getline(cells, cell, ',');
        if (cell == value) out += line + "\n";
    }
    write_file(dir / name, out);
    return dir / name;
}

const json& group_named(const json& result, const std::string& name) {
    for (const auto& group : result["groups"]["results"])
        if (group["group"] == name) return group;
    ADD_FAILURE() << "no group " << name;
    static const json none;
    return none;
}

// seminr's estimate_pls_mga re-runs estimate_pls, both stages, in each group: each group's estimate
// is the study of its rows alone, with listwise deletion and with mean replacement (each group
// replacing by its own means).
class TwoStageGroups : public TwoStageCli, public testing::WithParamInterface<const char*> {};

TEST_P(TwoStageGroups, EachGroupReRunsBothStagesOnItsOwnRows) {
    const fs::path data = shared_dir / "data" / "corp_rep_data.csv";
    if (!fs::exists(data)) GTEST_SKIP() << data << " is absent";
    const std::vector<std::string> common{"--model", moderation_model.string(), "--missing", "-99", "--scale", "1:7",
                                          "--missing-treatment", GetParam()};
    auto with = [&](std::vector<std::string> args, const fs::path& file, const std::string& out) {
        args.insert(args.begin(), common.begin(), common.end());
        args.insert(args.end(), {"--data", file.string()});
        return estimate(args, out);
    };
    const json grouped = with({"--group", "servicetype"}, data, "grouped.json");
    ASSERT_EQ(grouped["groups"]["results"].size(), 2u);
    for (const std::string name : {"1", "2"}) {
        const json alone = with({}, rows_where(dir_, data, "servicetype", name, "type" + name + ".csv"), "alone" + name + ".json");
        const json& group = group_named(grouped, name);
        EXPECT_EQ(group["n_obs"], alone["n_obs"]);
        ASSERT_EQ(group["paths"].size(), alone["paths"].size());
        for (const auto& path : alone["paths"])
            EXPECT_NEAR(path_of(group["paths"], path["from"], path["to"]), path["estimate"].get<double>(), 1e-10)
                << "group " << name << ": " << path["from"] << " -> " << path["to"];
        for (const auto& [construct, value] : alone["r2"].items())
            EXPECT_NEAR(group["r2"][construct].get<double>(), value.get<double>(), 1e-10) << "group " << name << ": R² " << construct;
        EXPECT_NEAR(group["csi_index"]["CUSL"].get<double>(), alone["csi_index"]["values"]["CUSL"].get<double>(), 1e-9);
        EXPECT_TRUE(group["csi_index"]["CUSA:SC"].is_null()) << "an interaction term has no index, in a group neither";
    }
    // The groups differ in the moderation itself.
    EXPECT_GT(std::abs(path_of(group_named(grouped, "1")["paths"], "CUSA:SC", "CUSL") -
                       path_of(group_named(grouped, "2")["paths"], "CUSA:SC", "CUSL")),
              0.1);
    // What was missing is reported from the items, before the stages made them complete.
    EXPECT_EQ(grouped["missing"]["missing_values"], 11) << grouped["missing"].dump();
}

INSTANTIATE_TEST_SUITE_P(Treatments, TwoStageGroups, testing::Values("listwise", "mean"));

// Aggregates of groups of a moderated model: indices with intervals, none for the interaction term.
TEST_F(TwoStageCli, AggregatedIndicesLeaveTheInteractionTermOut) {
    const fs::path data = shared_dir / "data" / "corp_rep_data.csv";
    if (!fs::exists(data)) GTEST_SKIP() << data << " is absent";
    const fs::path plan = write("plan.csv", "servicetype,weight\n1,1\n2,2\n");
    const json result = estimate({"--model", moderation_model.string(), "--data", data.string(), "--missing", "-99", "--group",
                                  "servicetype", "--scale", "1:7", "--bootstrap", "40", "--aggregate", plan.string()},
                                 "aggregated.json");
    const json& rows = result["index_table"]["rows"];
    ASSERT_EQ(rows.back()["group"], "(total)");
    const json& total = rows.back();
    EXPECT_TRUE(total["index"]["CUSA:SC"].is_null()) << total.dump();
    EXPECT_TRUE(total["ci_lower"]["CUSA:SC"].is_null() && total["ci_upper"]["CUSA:SC"].is_null()) << total.dump();
    EXPECT_LT(total["ci_lower"]["CUSL"].get<double>(), total["index"]["CUSL"].get<double>());
    EXPECT_GT(total["ci_upper"]["CUSL"].get<double>(), total["index"]["CUSL"].get<double>());
    EXPECT_LT(total["ci_upper"]["CUSL"].get<double>(), 100);
}

TEST_F(TwoStageCli, EachGroupGetsTheHigherOrderIndexThroughBothStages) {
    const fs::path mobi = shared_dir / "data" / "mobi.csv";
    if (!fs::exists(mobi)) GTEST_SKIP() << mobi << " is absent";
    // mobi with a group column: every third respondent in group B.
    std::istringstream lines(read_file(mobi));
    std::string line, grouped = "", part_b;
    std::getline(lines, line);
    grouped = line + ",part\n";
    part_b = grouped;
    for (int row = 0; std::getline(lines, line); ++row) {
        const bool b = row % 3 == 0;
        grouped += line + (b ? ",B\n" : ",A\n");
        if (b) part_b += line + ",B\n";
    }
    const fs::path data = write("mobi_parts.csv", grouped), data_b = write("mobi_b.csv", part_b);
    const json result = estimate({"--model", hoc_model.string(), "--data", data.string(), "--group", "part", "--scale", "1:10"}, "parts.json");
    const json alone = estimate({"--model", hoc_model.string(), "--data", data_b.string(), "--scale", "1:10"}, "b.json");
    const json& group = group_named(result, "B");
    EXPECT_EQ(group["n_obs"], 84);
    EXPECT_NEAR(path_of(group["paths"], "Performance", "Satisfaction"), path_of(alone["paths"], "Performance", "Satisfaction"), 1e-10);
    EXPECT_NEAR(group["csi_index"]["Performance"].get<double>(), alone["csi_index"]["values"]["Performance"].get<double>(), 1e-9);
    EXPECT_GT(std::abs(group["csi_index"]["Performance"].get<double>() - result["csi_index"]["values"]["Performance"].get<double>()), 0.1)
        << "group B's own index, not the pooled one";
}

TEST_F(TwoStageCli, GroupTestsOfAModeratedModelAreTheSameForAnyThreadCount) {
    const fs::path data = shared_dir / "data" / "corp_rep_data.csv";
    if (!fs::exists(data)) GTEST_SKIP() << data << " is absent";
    auto with_threads = [&](const std::string& threads) {
        const std::string out = "tests" + threads + ".json";
        estimate({"--model", moderation_model.string(), "--data", data.string(), "--missing", "-99", "--group", "servicetype",
                  "--bootstrap", "60", "--permutations", "60", "--micom", "--mga", "permutation,henseler", "--seed", "5",
                  "--threads", threads},
                 out);
        return read_file(dir_ / out);
    };
    const std::string one = with_threads("1");
    EXPECT_EQ(one, with_threads("2")) << "byte-identical results for 1 and 2 threads";
    const json result = json::parse(one);
    bool micom_row = false, mga_row = false;
    for (const auto& row : result["micom"]) {
        EXPECT_NE(row["construct"], "CUSA:SC") << "a product of scores is the same composite in every group: not tested";
        if (row["construct"] == "CUSL") micom_row = row["c"].is_number();
    }
    EXPECT_THAT(result["micom_settings"].dump(), HasSubstr("interaction terms are not tested"));
    for (const auto& row : result["mga"])
        if (row["from"] == "CUSA:SC" && row["to"] == "CUSL" && row["test"] == "permutation") {
            mga_row = true;
            EXPECT_EQ(row["used"], 60) << "every permutation re-ran both stages";
            EXPECT_GT(row["p"].get<double>(), 0);
        }
    EXPECT_TRUE(micom_row) << "MICOM of the constructs of stage 2";
    EXPECT_TRUE(mga_row) << "a multi-group test of the interaction path";
    EXPECT_TRUE(group_named(result, "1")["bootstrap"].is_object());
}

// PLSpredict re-runs both stages per fold (the numbers are checked in tests/core/prediction_test.cpp);
// a higher-order construct's predicted indicators are its lower-order scores.
TEST_F(TwoStageCli, PredictionOfAHigherOrderModel) {
    const fs::path mobi = shared_dir / "data" / "mobi.csv";
    if (!fs::exists(mobi)) GTEST_SKIP() << mobi << " is absent";
    const fs::path out = dir_ / "predicted.json";
    const RunResult r = run({"estimate", "--model", hoc_model.string(), "--data", mobi.string(), "--predict", "--folds", "5",
                             "--repetitions", "2", "--out", out.string()});
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_THAT(r.err, HasSubstr("PLSpredict re-runs both stages"));
    const json result = json::parse(read_file(out));
    std::vector<std::string> predicted;
    for (const auto& row : result["prediction"]["pls_predict"]["indicators"]) {
        predicted.push_back(row["indicator"]);
        EXPECT_GT(row["pls_rmse"].get<double>(), 0) << row.dump();
    }
    EXPECT_THAT(predicted, testing::IsSupersetOf({"Quality", "Value", "CUSA1", "CUSL3"}));
    EXPECT_TRUE(result["prediction"]["q2_blindfolding"]["q2"].contains("Performance"));
}

// The fit test of a higher-order model is stage 2's, on the stage-1 scores, and says so: the same
// test as on a data set of those scores (stage 1 rebuilt from the result and estimated on its own).
TEST_F(TwoStageCli, FitTestOfAHigherOrderModelIsStageTwos) {
    const fs::path mobi = shared_dir / "data" / "mobi.csv";
    if (!fs::exists(mobi)) GTEST_SKIP() << mobi << " is absent";
    const fs::path out = dir_ / "fit.json";
    const std::vector<std::string> test{"--fit-test", "60", "--seed", "3"};
    std::vector<std::string> args{"estimate", "--model", hoc_model.string(), "--data", mobi.string(), "--out", out.string()};
    args.insert(args.end(), test.begin(), test.end());
    const RunResult r = run(args);
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_THAT(r.err, HasSubstr("the fit test is stage 2's"));
    const json result = json::parse(read_file(out));

    std::string stage1_model;
    const json& stage1 = result["two_stage"]["stage1"];
    for (const auto& [construct, weights] : stage1["outer_weights"].items()) {
        stage1_model += construct + " =~";
        std::string separator = " ";
        for (const auto& [indicator, weight] : weights.items()) {
            stage1_model += separator + indicator;
            separator = " + ";
        }
        stage1_model += "\n";
    }
    for (const auto& path : stage1["paths"]) stage1_model += path["to"].get<std::string>() + " ~ " + path["from"].get<std::string>() + "\n";
    const fs::path data = mobi_with_scores(mobi, {"--model", write("stage1.model", stage1_model).string()});
    std::vector<std::string> plain_args{"--model", plain_hoc_model().string(), "--data", data.string()};
    plain_args.insert(plain_args.end(), test.begin(), test.end());
    const json plain = estimate(plain_args, "plain_fit.json");
    for (const std::string statistic : {"srmr", "d_uls", "d_g"})
        for (const std::string field : {"observed", "quantile_95", "p"})
            EXPECT_NEAR(result["fit_test"][statistic][field].get<double>(), plain["fit_test"][statistic][field].get<double>(), 1e-9)
                << statistic << " " << field;
}

// FIMIX segments the construct scores; respondents left out before stage 1 keep their input row.
TEST_F(TwoStageCli, SegmentsOfAModeratedModelNameTheInputRows) {
    const fs::path data = shared_dir / "data" / "corp_rep_data.csv";
    if (!fs::exists(data)) GTEST_SKIP() << data << " is absent";
    const fs::path assignments = dir_ / "segments.csv";
    const RunResult r = run({"segment", "--model", moderation_model.string(), "--data", data.string(), "--missing", "-99", "--k", "2",
                             "--assignments", assignments.string(), "--out", (dir_ / "segments.json").string()});
    ASSERT_EQ(r.exit_code, 0) << r;
    std::istringstream lines(read_file(assignments));
    std::string line;
    int rows = 0, unassigned = 0;
    std::getline(lines, line);
    EXPECT_EQ(line, "row,segment,p1,p2");
    while (std::getline(lines, line)) {
        ++rows;
        EXPECT_EQ(line.substr(0, line.find(',')), std::to_string(rows));
        if (line.find(",,") != std::string::npos) ++unassigned;
    }
    EXPECT_EQ(rows, 344) << "one line per input row";
    EXPECT_EQ(unassigned, 8) << "the respondents listwise deletion left out before stage 1";

    // One segment is the whole sample: its interaction path is the result's, on seminr's scale.
    const json one = estimate({"--model", moderation_model.string(), "--data", data.string(), "--missing", "-99", "--method", "fimix",
                               "--k", "1"},
                              "one_segment.json");
    EXPECT_NEAR(path_of(one["segmentation"]["solutions"][0]["segments"][0]["paths"], "CUSA:SC", "CUSL"),
                path_of(one["paths"], "CUSA:SC", "CUSL"), 1e-9);
}

// PLS-POS re-runs both stages for every segment estimate: each segment found is the two-stage study
// of its rows alone, its interaction path on its own scale.
TEST_F(TwoStageCli, PosSegmentsAreTwoStageStudiesOfTheirRows) {
    const fs::path data = shared_dir / "data" / "corp_rep_data.csv";
    if (!fs::exists(data)) GTEST_SKIP() << data << " is absent";
    const fs::path assignments = dir_ / "pos.csv";
    const json result = estimate({"--model", moderation_model.string(), "--data", data.string(), "--missing", "-99", "--method", "pos",
                                  "--k", "2", "--starts", "2", "--assignments", assignments.string()},
                                 "pos.json");
    const double a = result["two_stage"]["interactions"][0]["scale_factor"].get<double>();
    std::istringstream segments(read_file(assignments)), rows(read_file(data));
    std::string line, header, part[2];
    std::getline(segments, line);
    std::getline(rows, header);
    part[0] = part[1] = header + "\n";
    while (std::getline(segments, line) && std::getline(rows, header)) {
        const std::string segment = line.substr(line.find(',') + 1);
        if (segment == "1" || segment == "2") part[segment == "1" ? 0 : 1] += header + "\n";
    }
    for (int s = 0; s < 2; ++s) {
        const json& found = result["segmentation"]["segments"][static_cast<std::size_t>(s)];
        const fs::path rows_file = write("segment" + std::to_string(s) + ".csv", part[s]);
        const json alone = estimate({"--model", moderation_model.string(), "--data", rows_file.string(), "--missing", "-99"},
                                    "segment" + std::to_string(s) + ".json");
        EXPECT_EQ(found["size"], alone["n_obs"]);
        for (const auto& path : alone["paths"])
            EXPECT_NEAR(path_of(found["paths"], path["from"], path["to"]), path["estimate"].get<double>(), 1e-9)
                << "segment " << s + 1 << ": " << path["from"];
        // ... the interaction on the segment's own scale, not the whole sample's.
        EXPECT_GT(std::abs(alone["two_stage"]["interactions"][0]["scale_factor"].get<double>() - a), 1e-3);
    }
}

// `csipls compare` of two waves of a moderated model: the interaction term has no index to compare.
TEST_F(TwoStageCli, CompareWavesOfAModeratedModel) {
    const fs::path data = shared_dir / "data" / "corp_rep_data.csv";
    if (!fs::exists(data)) GTEST_SKIP() << data << " is absent";
    estimate({"--model", moderation_model.string(), "--data", data.string(), "--missing", "-99", "--scale", "1:7", "--bootstrap", "30"},
             "wave.json");
    const fs::path out = dir_ / "change.json";
    const RunResult r = run({"compare", (dir_ / "wave.json").string(), (dir_ / "wave.json").string(), "--out", out.string()});
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_THAT(r.out, testing::ContainsRegex("CUSA:SC +- +- +-"));
    EXPECT_THAT(read_file(out), HasSubstr("\"CUSL\""));
}

// An item without answers under mean replacement: the error names the data file.
TEST_F(TwoStageCli, MissingItemErrorsNameTheData) {
    std::istringstream lines(read_file(ccsi_data));
    std::string line, blanked;
    while (std::getline(lines, line)) {
        std::vector<std::string> cells;
        std::istringstream fields(line);
        for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
        if (blanked.empty()) {
            blanked = line + "\n";
            continue;
        }
        cells[12] = "";  // SAT1
        for (std::size_t k = 0; k < cells.size(); ++k) blanked += (k ? "," : "") + cells[k];
        blanked += "\n";
    }
    const fs::path data = write("no_sat1.csv", blanked);
    const fs::path model = write("moderated.model", "A =~ BI1 + BI2\nM =~ EQ1 + EQ2\nB =~ SAT1 + SAT2\nB ~ A + M + A:M\n");
    const RunResult r = run({"estimate", "--model", model.string(), "--data", data.string(), "--missing-treatment", "mean"});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_THAT(r.err, AllOf(HasSubstr("no_sat1.csv"), HasSubstr("SAT1")));
}

// Like the one-stage model, PLSpredict with missing answers takes whole respondents only.
TEST_F(TwoStageCli, PredictionWithMeanReplacementIsRefused) {
    const fs::path data = shared_dir / "data" / "corp_rep_data.csv";
    if (!fs::exists(data)) GTEST_SKIP() << data << " is absent";
    const RunResult r = run({"estimate", "--model", moderation_model.string(), "--data", data.string(), "--missing", "-99",
                             "--missing-treatment", "mean", "--predict"});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_THAT(r.err, AllOf(HasSubstr("--predict"), HasSubstr("listwise")));
}

}  // namespace
