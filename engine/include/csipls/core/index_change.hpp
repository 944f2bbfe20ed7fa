#pragma once
// Change of CSI indices between two waves (years) of a study: per index the change new − old, its
// standard error from the two waves' bootstrap standard errors, and a normal test of no change.
#include <cstddef>
#include <string>
#include <vector>

namespace csipls {

// One index of one wave: its value and, with a bootstrap, its standard error (NaN without).
struct IndexChange {
    double old_value = 0, new_value = 0;
    double change = 0;  // new − old
    // The waves are independent samples, so se = √(se_old² + se_new²). NaN (and so z, p and the
    // interval) when either wave has no se; z and p are NaN too when se is 0.
    double se = 0, z = 0, p = 0, ci_lower = 0, ci_upper = 0;
    bool significant = false;  // p < 1 − level
};

// `level` is the confidence level of the interval (0 < level < 1): change ± z_{(1+level)/2}·se;
// p is two-sided from the standard normal.
IndexChange index_change(double old_value, double old_se, double new_value, double new_se, double level);

// The index rows of one wave, as the `index_table` of `csipls estimate` holds them.
struct IndexWave {
    std::vector<std::string> constructs;
    struct Row {
        std::string label, level;  // the key: group label ("(all)", "C001", "banking") and its level
        long long n_obs = 0;
        std::string error;             // why the row has no index; empty when it has one
        std::vector<double> index, se;  // per construct; se empty (or NaN) without a bootstrap
    };
    std::vector<Row> rows;
};

struct IndexComparison {
    std::vector<std::string> constructs;
    double level = 0.95;
    struct Row {
        std::string label, level;
        // "both": compared; "added": only in the new wave; "dropped": only in the old one;
        // "error": in both, but a wave has no index for it (`note` says which and why).
        std::string status;
        std::string note;
        long long n_old = 0, n_new = 0;
        std::vector<IndexChange> changes;  // per construct, with status "both"
    };
    std::vector<Row> rows;  // the old wave's order, then the added rows in the new wave's order
};

// Matches rows by (label, level) and compares every construct of `constructs` (which both waves
// must hold; otherwise InputError naming the construct).
IndexComparison compare_indices(const IndexWave& old_wave, const IndexWave& new_wave, double level);

}  // namespace csipls
