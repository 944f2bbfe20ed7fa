#include "csipls/core/index_table.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "csipls/core/error.hpp"
#include "detail/resampling.hpp"

namespace csipls {
namespace {

// The index columns of a bootstrap's summaries (per construct), or −1 where a construct has none.
std::vector<int> index_columns(const BootstrapResult& bootstrap, std::size_t constructs) {
    std::vector<int> column(constructs, -1);
    for (std::size_t i = 0; i < bootstrap.parameters.size(); ++i)
        if (bootstrap.parameters[i].kind == BootstrapParameter::Kind::csi_index)
            column[static_cast<std::size_t>(bootstrap.parameters[i].to)] = static_cast<int>(i);
    return column;
}

void fill_uncertainty(IndexRow& row, const BootstrapResult& bootstrap) {
    const auto columns = index_columns(bootstrap, static_cast<std::size_t>(row.index.size()));
    const auto count = row.index.size();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    row.se = row.ci_lower = row.ci_upper = Eigen::VectorXd::Constant(count, nan);
    for (Eigen::Index j = 0; j < count; ++j) {
        const int c = columns[static_cast<std::size_t>(j)];
        if (c < 0) continue;
        const ParameterSummary& summary = bootstrap.summaries[static_cast<std::size_t>(c)];
        row.se[j] = summary.se;
        row.ci_lower[j] = summary.ci_lower;
        row.ci_upper[j] = summary.ci_upper;
    }
}

std::vector<std::string> flagged(const std::vector<std::string>& constructs, const std::vector<bool>& negative_weight) {
    std::vector<std::string> names;
    for (std::size_t j = 0; j < negative_weight.size(); ++j)
        if (negative_weight[j]) names.push_back(constructs[j]);
    return names;
}

}  // namespace

IndexTable make_index_table(const PlsResult& result, const CsiIndex& index, const BootstrapResult* bootstrap,
                            const GroupsResult* groups, double ci_level) {
    IndexTable table;
    table.constructs = result.constructs;
    table.ci_level = ci_level;
    IndexRow all;
    all.label = "(all)";
    all.level = "all";
    all.n_obs = result.n_obs;
    all.index = index.index;
    all.negative_weight = flagged(result.constructs, index.negative_weight);
    if (bootstrap) fill_uncertainty(all, *bootstrap);
    table.rows.push_back(std::move(all));
    if (!groups) return table;
    for (const GroupEstimate& group : groups->groups) {
        IndexRow row;
        row.label = group.name;
        row.level = "group";
        row.n_obs = group.n_obs;
        row.error = group.error;
        if (group.ok()) {
            row.index = group.index;
            row.negative_weight = flagged(result.constructs, group.negative_weight);
            if (group.bootstrap) fill_uncertainty(row, *group.bootstrap);
        }
        table.rows.push_back(std::move(row));
    }
    return table;
}

std::vector<IndexRow> aggregate_indices(const GroupsResult& groups, const AggregationPlan& plan,
                                        const std::vector<std::string>& constructs, double ci_level) {
    const auto construct_count = static_cast<Eigen::Index>(constructs.size());
    std::map<std::string, int, std::less<>> group_position;
    for (std::size_t g = 0; g < groups.groups.size(); ++g) group_position.emplace(groups.groups[g].name, static_cast<int>(g));
    std::vector<int> member_group;
    for (const auto& member : plan.members) {
        const auto it = group_position.find(member.group);
        if (it == group_position.end())
            throw InputError("the aggregation weights name group '" + member.group + "', which is not in the data");
        if (!(member.weight > 0) || !std::isfinite(member.weight))
            throw InputError("the aggregation weight of group '" + member.group + "' must be positive, got " +
                             number_text(member.weight));
        if (member.units.size() != plan.levels.size())
            throw InputError("group '" + member.group + "' has no unit for every aggregation level");
        member_group.push_back(it->second);
    }

    // Replicates are matched by number across groups: draws of the same replicate combine.
    auto aggregate = [&](const std::string& label, const std::string& level, const std::vector<std::size_t>& members) {
        IndexRow row;
        row.label = label;
        row.level = level;
        row.members = static_cast<int>(members.size());
        double weight_sum = 0;
        for (std::size_t m : members) {
            const GroupEstimate& group = groups.groups[static_cast<std::size_t>(member_group[m])];
            row.n_obs += group.n_obs;
            weight_sum += plan.members[m].weight;
            if (!group.ok() && row.error.empty())
                row.error = "member group '" + group.name + "' could not be estimated: " + group.error;
        }
        if (!row.error.empty()) return row;
        row.index = Eigen::VectorXd::Zero(construct_count);
        for (std::size_t m : members)
            row.index += plan.members[m].weight / weight_sum * groups.groups[static_cast<std::size_t>(member_group[m])].index;
        const bool bootstrapped = std::all_of(members.begin(), members.end(), [&](std::size_t m) {
            return groups.groups[static_cast<std::size_t>(member_group[m])].bootstrap.has_value();
        });
        if (!bootstrapped || members.empty()) return row;
        const int resamples = groups.groups[static_cast<std::size_t>(member_group[members.front()])].bootstrap->options.resamples;
        Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(resamples, construct_count);
        std::vector<int> present(static_cast<std::size_t>(resamples), 0);
        for (std::size_t m : members) {
            const GroupEstimate& group = groups.groups[static_cast<std::size_t>(member_group[m])];
            const BootstrapResult& bootstrap = *group.bootstrap;
            const auto columns = index_columns(bootstrap, constructs.size());
            for (int d = 0; d < bootstrap.succeeded; ++d) {
                const int r = bootstrap.replicate_of_draw[static_cast<std::size_t>(d)];
                ++present[static_cast<std::size_t>(r)];
                for (Eigen::Index j = 0; j < construct_count; ++j) {
                    const int column = columns[static_cast<std::size_t>(j)];
                    // A construct without index draws (an interaction term) gets no interval.
                    sums(r, j) += column < 0 ? std::numeric_limits<double>::quiet_NaN()
                                             : plan.members[m].weight / weight_sum * bootstrap.draws(d, column);
                }
            }
        }
        const double nan = std::numeric_limits<double>::quiet_NaN();
        row.se = row.ci_lower = row.ci_upper = Eigen::VectorXd::Constant(construct_count, nan);
        std::vector<double> values;
        for (Eigen::Index j = 0; j < construct_count; ++j) {
            values.clear();
            for (int r = 0; r < resamples; ++r)
                if (present[static_cast<std::size_t>(r)] == static_cast<int>(members.size())) values.push_back(sums(r, j));
            if (values.size() < 2 || !std::isfinite(values.front())) continue;
            double mean = 0;
            for (double v : values) mean += v;
            mean /= static_cast<double>(values.size());
            double squares = 0;
            for (double v : values) squares += (v - mean) * (v - mean);
            row.se[j] = std::sqrt(squares / static_cast<double>(values.size() - 1));
            const double alpha = 1.0 - ci_level;
            row.ci_lower[j] = detail::quantile_type7(values, alpha / 2);
            row.ci_upper[j] = detail::quantile_type7(values, 1.0 - alpha / 2);
        }
        return row;
    };

    std::vector<IndexRow> rows;
    for (std::size_t level = 0; level < plan.levels.size(); ++level) {
        std::vector<std::string> units;
        for (const auto& member : plan.members)
            if (std::find(units.begin(), units.end(), member.units[level]) == units.end()) units.push_back(member.units[level]);
        std::sort(units.begin(), units.end(), [](const std::string& a, const std::string& b) { return natural_less(a, b); });
        for (const auto& unit : units) {
            std::vector<std::size_t> members;
            for (std::size_t m = 0; m < plan.members.size(); ++m)
                if (plan.members[m].units[level] == unit) members.push_back(m);
            rows.push_back(aggregate(unit, plan.levels[level], members));
        }
    }
    std::vector<std::size_t> everyone(plan.members.size());
    for (std::size_t m = 0; m < everyone.size(); ++m) everyone[m] = m;
    rows.push_back(aggregate("(total)", "total", everyone));
    return rows;
}

}  // namespace csipls
