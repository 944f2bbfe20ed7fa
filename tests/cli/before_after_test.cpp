// Every number unchanged by the move of the study into the library: representative runs (bootstrap
// with BCa, groups with permutations and IPMA, pooled groups, PLSc with the fit test, missing data
// under EM and pairwise, prediction with practice indices, case weights with groups, aggregation,
// the weights index, reverse-coded items with IPMA, the report) give the summary, byte for
// byte apart from sections added since, and every JSON value that the build of commit be39434 wrote (tests/fixtures/before_be39434,
// made by make_outputs.sh there). Later versions may add keys, never change these.
#include <nlohmann/json.hpp>

#include "cli/cli_harness.hpp"

namespace csipls::cli_test {
namespace {

const fs::path fixtures = source_dir / "tests" / "fixtures" / "before_be39434";

struct Run {
    std::string name;
    std::vector<std::string> args;
};

std::vector<Run> runs() {
    std::vector<Run> out;
    std::istringstream lines(read_file(fixtures / "runs.txt"));
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line[0] == '#') continue;
        const auto bar = line.find('|');
        Run run{line.substr(0, bar), {}};
        std::istringstream words(line.substr(bar + 1));
        for (std::string word; words >> word;) run.args.push_back(word);
        out.push_back(std::move(run));
    }
    return out;
}

// Every value of `before` is in `after` under the same keys, in the same order (keys `after` adds
// are allowed); the engine's commit is the build's own, and the model's hash changed when the
// shipped models gained their diagram `layout` line (no effect on any estimate). Returns the first
// difference.
std::string first_difference(const nlohmann::ordered_json& before, const nlohmann::ordered_json& after, const std::string& path) {
    if (before.is_object()) {
        if (!after.is_object()) return path + ": not an object any more";
        std::vector<std::string> kept;
        for (const auto& [key, value] : after.items())
            if (before.contains(key)) kept.push_back(key);
        std::vector<std::string> keys;
        for (const auto& [key, value] : before.items()) keys.push_back(key);
        if (kept != keys) return path + ": keys missing or reordered";
        for (const auto& [key, value] : before.items())
            if (path + "/" + key != "/engine/commit" && path + "/" + key != "/input/model/xxh64")
                if (auto d = first_difference(value, after.at(key), path + "/" + key); !d.empty()) return d;
        return {};
    }
    if (before.is_array()) {
        if (!after.is_array() || after.size() != before.size()) return path + ": array length differs";
        for (std::size_t i = 0; i < before.size(); ++i)
            if (auto d = first_difference(before[i], after[i], path + "/" + std::to_string(i)); !d.empty()) return d;
        return {};
    }
    // Numbers compare as the doubles they were written from (17 significant digits round-trip).
    if (before != after) return path + ": " + before.dump() + " became " + after.dump();
    return {};
}

// The report without the lines that name the engine's commit or the model's hash, the options
// table the new result adds, the sections added since and the path diagram (laid out by Graphviz
// since; tests/report/diagram_test.cpp checks it).
std::string comparable_report(const std::string& html) {
    std::string out;
    std::istringstream lines(html);
    bool in_options = false, in_added = false, in_diagram = false;
    for (std::string line; std::getline(lines, line);) {
        if (line.find("(commit ") != std::string::npos) continue;
        if (line.starts_with("<tr><th>Model file</th>") || line.starts_with(".path-diagram .path")) continue;
        if (line.find("<svg ") != std::string::npos && line.find("class=\"path-diagram\"") != std::string::npos) in_diagram = true;
        if (in_diagram) {
            if (line == "</svg>") in_diagram = false;
            continue;
        }
        // The mediation section, added since.
        if (line == "<li><a href=\"#mediation\">Mediation: specific indirect effects</a></li>") continue;
        if (line == "<section id=\"mediation\">") in_added = true;
        if (in_added) {
            if (line == "</section>") in_added = false;
            continue;
        }
        if (line == "<h3>Options</h3>") in_options = true;
        if (!in_options) out += line + '\n';
        if (in_options && line == "</tbody></table>") in_options = false;
    }
    return out;
}

// The summary without the sections added after be39434 (per-group practice indices, MICOM, the
// multi-group tests): each runs from its heading to the next blank line.
std::string without_added_sections(std::string text) {
    for (const char* heading : {"\nSpecific indirect effects (", "\nIndices of CSI practice by group", "\nMICOM (", "\nMulti-group tests ("}) {
        const auto start = text.find(heading);
        if (start == std::string::npos) continue;
        const auto end = text.find("\n\n", start + 1);
        text.erase(start, end == std::string::npos ? std::string::npos : end + 1 - start);
    }
    return text;
}

class BeforeAfterTest : public CliHarness {
protected:
    BeforeAfterTest() : CliHarness("csipls_before_after", 120) {}
};

TEST_F(BeforeAfterTest, SummariesAndJsonValuesAreThoseOfCommitBe39434) {
    const auto all = runs();
    ASSERT_EQ(all.size(), 11u);
    for (const auto& run : all) {
        SCOPED_TRACE(run.name);
        auto args = run.args;
        const RunResult printed = this->run(args, source_dir);
        ASSERT_EQ(printed.exit_code, 0) << printed;
        EXPECT_EQ(without_added_sections(printed.out), read_file(fixtures / (run.name + ".txt")));
        const fs::path json_path = dir_ / (run.name + ".json");
        args.insert(args.end(), {"--out", json_path.string()});
        const RunResult written = this->run(args, source_dir);
        ASSERT_EQ(written.exit_code, 0) << written;
        const auto before = nlohmann::ordered_json::parse(read_file(fixtures / (run.name + ".json")));
        const auto after = nlohmann::ordered_json::parse(read_file(json_path));
        EXPECT_EQ(first_difference(before, after, ""), "");
    }
}

TEST_F(BeforeAfterTest, ReportIsThatOfCommitBe39434) {
    const fs::path out = dir_ / "report.html";
    const RunResult r = run({"report", "--model", "models/ccsi.model", "--data", "data/ccsi_example.csv", "--scale", "1:10",
                             "--bootstrap", "100", "--seed", "2", "--out", out.string()},
                            source_dir);
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_EQ(comparable_report(read_file(out)), comparable_report(read_file(fixtures / "report.html")));
}

// The comparison itself can fail: a changed number, a dropped key.
TEST(BeforeAfterComparison, FindsAChangedNumberAndAMissingKey) {
    const auto before = nlohmann::ordered_json::parse(R"({"engine":{"commit":"a"},"paths":[{"estimate":0.25}],"n_obs":3})");
    EXPECT_EQ(first_difference(before, nlohmann::ordered_json::parse(R"({"engine":{"commit":"b"},"paths":[{"estimate":0.25}],"n_obs":3,"new":1})"), ""), "");
    EXPECT_NE(first_difference(before, nlohmann::ordered_json::parse(R"({"engine":{"commit":"a"},"paths":[{"estimate":0.2500000001}],"n_obs":3})"), ""), "");
    EXPECT_NE(first_difference(before, nlohmann::ordered_json::parse(R"({"engine":{"commit":"a"},"paths":[{"estimate":0.25}]})"), ""), "");
}

}  // namespace
}  // namespace csipls::cli_test
