// The report's hidden-segments section, from a study's JSON result: the criteria of every K, the
// selected segments' paths side by side, the posterior histogram; absent without a segmentation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "csipls/io/model_file.hpp"
#include "csipls/io/csv.hpp"
#include "csipls/report/report.hpp"
#include "csipls/study/study.hpp"

namespace {

using testing::HasSubstr;

csipls::Json ccsi_result(csipls::SegmentationMethod method, int k_min, int k_max) {
    const csipls::Model model = csipls::read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/models/ccsi.model");
    csipls::Dataset data = csipls::read_csv(std::string(CSIPLS_SOURCE_DIR) + "/data/ccsi_example.csv", model.all_indicators(), {});
    csipls::StudyOptions options;
    options.segmentation.method = method;
    options.segmentation.k_min = k_min;
    options.segmentation.k_max = k_max;
    options.segmentation.starts = 2;
    options.segmentation.tolerance = 1e-6;
    return csipls::run_study(model, std::move(data), options).to_json();
}

TEST(SegmentationSection, CriteriaPathsAndHistogram) {
    const csipls::Json result = ccsi_result(csipls::SegmentationMethod::fimix, 1, 2);
    const std::string html = csipls::render_html_report(result, nullptr);
    EXPECT_THAT(html, HasSubstr("<section id=\"segmentation\">\n<h2>Hidden segments (FIMIX-PLS)</h2>"));
    // One criteria row per K, with N_k = 16 and 33.
    EXPECT_THAT(html, HasSubstr("<tr><td>1</td>"));
    EXPECT_THAT(html, HasSubstr("<td>16</td>"));
    EXPECT_THAT(html, HasSubstr("<td>33</td>"));
    EXPECT_THAT(html, HasSubstr("<tr><td>品牌形象 → 预期质量</td>"));
    EXPECT_THAT(html, HasSubstr("Largest posterior probability per respondent"));
    const std::string pos = csipls::render_html_report(ccsi_result(csipls::SegmentationMethod::pos, 2, 2), nullptr);
    EXPECT_THAT(pos, HasSubstr("Hidden segments (PLS-POS)"));
    EXPECT_THAT(pos, HasSubstr("<th>Segment 2</th>"));
    EXPECT_THAT(pos, testing::Not(HasSubstr("Largest posterior probability")));
}

TEST(SegmentationSection, AbsentWithoutSegmentation) {
    const std::string html = csipls::render_html_report(ccsi_result(csipls::SegmentationMethod::none, 1, 1), nullptr);
    EXPECT_THAT(html, testing::Not(HasSubstr("id=\"segmentation\"")));
}

}  // namespace
