// Change of indices between waves. Expected figures are worked out here by hand: se from
// √(se_old² + se_new²), p = erfc(|z|/√2) evaluated separately (Python's math.erfc), the interval
// with z_0.975 = 1.959963984540054.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "csipls/core/error.hpp"
#include "csipls/core/index_change.hpp"

namespace csipls {
namespace {

TEST(IndexChange, ChangeSeZPAndIntervalByHand) {
    // 72.5 − 70 = 2.5; se = √(1.2² + 1.6²) = √4 = 2; z = 1.25; p = erfc(1.25/√2) = 0.21129954733371056.
    const IndexChange c = index_change(70, 1.2, 72.5, 1.6, 0.95);
    EXPECT_DOUBLE_EQ(c.change, 2.5);
    EXPECT_DOUBLE_EQ(c.se, 2.0);
    EXPECT_DOUBLE_EQ(c.z, 1.25);
    EXPECT_NEAR(c.p, 0.21129954733371056, 1e-14);
    EXPECT_NEAR(c.ci_lower, 2.5 - 1.959963984540054 * 2, 1e-12);
    EXPECT_NEAR(c.ci_upper, 2.5 + 1.959963984540054 * 2, 1e-12);
    EXPECT_FALSE(c.significant);
}

TEST(IndexChange, SignificantDrop) {
    // 60 − 63 = −3; se = √(0.6² + 0.8²) = 1; z = −3; p = erfc(3/√2) = 0.0026997960632601913.
    const IndexChange c = index_change(63, 0.6, 60, 0.8, 0.95);
    EXPECT_DOUBLE_EQ(c.change, -3);
    EXPECT_DOUBLE_EQ(c.se, 1);
    EXPECT_DOUBLE_EQ(c.z, -3);
    EXPECT_NEAR(c.p, 0.0026997960632601913, 1e-15);
    EXPECT_TRUE(c.significant);
    // At 99.9 % (p must be below 0.001) the same change is not significant.
    EXPECT_FALSE(index_change(63, 0.6, 60, 0.8, 0.999).significant);
}

TEST(IndexChange, NoChangeGivesPOne) {
    const IndexChange c = index_change(65.3, 1.1, 65.3, 1.1, 0.95);
    EXPECT_EQ(c.change, 0);
    EXPECT_EQ(c.z, 0);
    EXPECT_EQ(c.p, 1);
    EXPECT_FALSE(c.significant);
}

TEST(IndexChange, WithoutSeOnlyTheChange) {
    const IndexChange c = index_change(60, NAN, 64, 1.0, 0.95);
    EXPECT_DOUBLE_EQ(c.change, 4);
    EXPECT_TRUE(std::isnan(c.se));
    EXPECT_TRUE(std::isnan(c.p));
    EXPECT_TRUE(std::isnan(c.ci_lower));
    EXPECT_FALSE(c.significant);
    EXPECT_THROW(index_change(1, 1, 2, 1, 1.0), csipls::UsageError);
}

IndexWave::Row row(const std::string& label, const std::string& level, std::vector<double> index, std::vector<double> se,
                   std::string error = "") {
    IndexWave::Row r;
    r.label = label;
    r.level = level;
    r.n_obs = 100;
    r.index = std::move(index);
    r.se = std::move(se);
    r.error = std::move(error);
    return r;
}

TEST(IndexChange, RowsMatchedByLabelAndLevelWithAddedDroppedAndErrors) {
    IndexWave old_wave, new_wave;
    old_wave.constructs = {"Quality", "Satisfaction"};
    new_wave.constructs = {"Satisfaction", "Quality"};  // another order: matched by name
    old_wave.rows = {row("(all)", "all", {70, 60}, {1, 1}), row("A", "group", {71, 61}, {2, 2}),
                     row("B", "group", {72, 62}, {2, 2}), row("C", "group", {}, {}, "too few respondents")};
    new_wave.rows = {row("(all)", "all", {63, 74}, {1, 1}), row("A", "industry", {1, 1}, {1, 1}),
                     row("A", "group", {61, 71}, {2, 2}), row("C", "group", {50, 50}, {1, 1}), row("D", "group", {50, 50}, {1, 1})};
    const IndexComparison c = compare_indices(old_wave, new_wave, 0.95);
    ASSERT_EQ(c.rows.size(), 6u);
    EXPECT_EQ(c.rows[0].status, "both");
    EXPECT_DOUBLE_EQ(c.rows[0].changes[0].change, 4);   // Quality 70 → 74
    EXPECT_DOUBLE_EQ(c.rows[0].changes[1].change, 3);   // Satisfaction 60 → 63
    EXPECT_DOUBLE_EQ(c.rows[0].changes[1].se, std::sqrt(2.0));
    EXPECT_EQ(c.rows[1].label, "A");
    EXPECT_EQ(c.rows[1].status, "both");
    EXPECT_EQ(c.rows[1].changes[0].change, 0);
    EXPECT_EQ(c.rows[1].changes[0].p, 1);
    EXPECT_EQ(c.rows[2].status, "dropped");  // B
    EXPECT_EQ(c.rows[3].status, "error");    // C: no index in the old wave
    EXPECT_EQ(c.rows[3].note, "old wave: too few respondents");
    EXPECT_EQ(c.rows[4].label, "A");  // A at another level is another row
    EXPECT_EQ(c.rows[4].level, "industry");
    EXPECT_EQ(c.rows[4].status, "added");
    EXPECT_EQ(c.rows[5].label, "D");
    EXPECT_EQ(c.rows[5].status, "added");

    new_wave.constructs = {"Satisfaction", "Loyalty"};
    EXPECT_THROW(compare_indices(old_wave, new_wave, 0.95), csipls::InputError);
}

}  // namespace
}  // namespace csipls
