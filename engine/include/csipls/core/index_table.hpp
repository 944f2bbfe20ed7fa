#pragma once
// The published index table: one row per unit (all respondents, each group, each aggregate such as
// an industry or sector) and per construct the 0–100 index with its bootstrap se and interval.
#include <Eigen/Core>
#include <string>
#include <vector>

#include "csipls/core/bootstrap.hpp"
#include "csipls/core/csi_index.hpp"
#include "csipls/core/groups.hpp"

namespace csipls {

struct IndexRow {
    std::string label;   // "(all)", a group label, or an aggregate's name
    std::string level;   // "all", "group", or the aggregation level (e.g. "industry", "total")
    Eigen::Index n_obs = 0;  // respondents behind the row (for an aggregate: of its members)
    int members = 0;         // aggregates: groups combined
    std::string error;       // why the row has no index; empty when it has one
    Eigen::VectorXd index;   // per construct; empty with an error
    // With a bootstrap: per construct; empty without.
    Eigen::VectorXd se, ci_lower, ci_upper;
    std::vector<std::string> negative_weight;  // constructs whose index is flagged (see CsiIndex)
};

struct IndexTable {
    std::vector<std::string> constructs;
    double ci_level = 0.95;
    std::vector<IndexRow> rows;
};

// The "(all)" row from the estimate on every respondent, then a row per group (when `groups`).
// `bootstrap` and the groups' bootstraps, when present, must include the indices.
IndexTable make_index_table(const PlsResult& result, const CsiIndex& index, const BootstrapResult* bootstrap,
                            const GroupsResult* groups, double ci_level);

// Weights and hierarchy for aggregating group indices (industry, sector, national): per group its
// weight (revenue, market share, customers) and its unit at each level, e.g. levels
// {"industry", "sector"} and for group "Bank A" {"banking", "finance"}.
struct AggregationPlan {
    std::string source;  // the file it was read from, for the result's settings
    std::vector<std::string> levels;
    struct Member {
        std::string group;
        double weight = 0;
        std::vector<std::string> units;  // one per level
    };
    std::vector<Member> members;
};

// Aggregate rows: for each level in order, each of its units (in natural order), then a "total"
// row over every listed group. An aggregate is Σ w·index / Σ w over its member groups. Its se and
// interval come from the same sums over the groups' bootstrap draws, replicate by replicate (the
// groups are independent samples; a replicate missing in any member is left out). A member group
// that could not be estimated makes the aggregate an error row, never a silently smaller mean.
// Throws InputError for a listed group not in the data or a weight that is not positive.
std::vector<IndexRow> aggregate_indices(const GroupsResult& groups, const AggregationPlan& plan,
                                        const std::vector<std::string>& constructs, double ci_level);

}  // namespace csipls
