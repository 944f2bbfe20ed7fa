// The report's two-stage section, from a study's JSON result: the method and terms, the simple
// slopes table with intervals and the slope plot with one line per moderator level; absent with
// one stage.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "csipls/core/simulate.hpp"
#include "csipls/io/model_file.hpp"
#include "csipls/report/report.hpp"
#include "csipls/study/study.hpp"

namespace {

using testing::HasSubstr;

csipls::Json moderated_result(const std::string& structural, int resamples) {
    const std::string blocks = "X =~ x1 + x2 + x3\nM =~ m1 + m2 + m3\nY =~ y1 + y2 + y3\n";
    csipls::SimulationOptions simulation;
    simulation.n = 300;
    simulation.discrete = false;
    csipls::Dataset data = csipls::simulate(csipls::parse_model(blocks + "Y ~ 0.3*X + 0.2*M + 0.25*X:M\n", "population.model"), simulation);
    csipls::StudyOptions options;
    options.bootstrap.resamples = resamples;
    return csipls::run_study(csipls::parse_model(blocks + structural, "moderated.model"), std::move(data), options).to_json();
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

TEST(TwoStageSection, SimpleSlopesTableAndPlot) {
    const csipls::Json result = moderated_result("Y ~ X + M + X:M\n", 50);
    const std::string html = csipls::render_html_report(result, nullptr);
    const auto begin = html.find("<section id=\"two-stage\">");
    ASSERT_NE(begin, std::string::npos);
    const std::string section = html.substr(begin, html.find("</section>", begin) - begin);
    EXPECT_THAT(section, HasSubstr("Interaction terms and higher-order constructs"));
    EXPECT_THAT(section, HasSubstr("estimated by the method ‘two-stage’"));
    EXPECT_THAT(section, HasSubstr("<li>X:M (X*M)</li>"));
    EXPECT_THAT(section, HasSubstr("Simple slopes of X → Y at levels of M"));
    // A row per level with the slope and its interval, a line per level with a legend entry.
    const auto& slopes = result["simple_slopes"];
    ASSERT_EQ(slopes.size(), 3u);
    for (const auto& slope : slopes) {
        const double level = slope["moderator_level"].get<double>();
        EXPECT_THAT(section, HasSubstr(fmt::format("<tr><td>{:.0f}</td><td>{:.3f}</td><td>{:.3f}</td>", level,
                                                   slope["slope"].get<double>(), slope["se"].get<double>())))
            << slope.dump();
    }
    EXPECT_EQ(count(section, "<polyline class=\"series"), 3u);
    EXPECT_THAT(section, HasSubstr("M −1 SD"));
    EXPECT_THAT(section, HasSubstr("M mean"));
    EXPECT_THAT(section, HasSubstr("M +1 SD"));
}

TEST(TwoStageSection, AbsentWithoutInteractionTermsOrHigherOrderConstructs) {
    const std::string html = csipls::render_html_report(moderated_result("Y ~ X + M\n", 0), nullptr);
    EXPECT_THAT(html, testing::Not(HasSubstr("<section id=\"two-stage\">")));
    EXPECT_THAT(html, testing::Not(HasSubstr("Simple slopes")));
}

}  // namespace
