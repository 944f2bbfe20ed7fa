#include "csipls/core/index_change.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

#include "csipls/core/error.hpp"

namespace csipls {

IndexChange index_change(double old_value, double old_se, double new_value, double new_se, double level) {
    if (!(level > 0 && level < 1)) throw UsageError("the confidence level must be between 0 and 1");
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    IndexChange c;
    c.old_value = old_value;
    c.new_value = new_value;
    c.change = new_value - old_value;
    c.se = std::sqrt(old_se * old_se + new_se * new_se);  // NaN when either is
    if (!(c.se > 0) || !std::isfinite(c.se) || !std::isfinite(c.change)) {
        if (!(c.se >= 0)) c.se = nan;
        c.z = c.p = c.ci_lower = c.ci_upper = nan;
        return c;
    }
    const boost::math::normal standard;
    c.z = c.change / c.se;
    c.p = std::min(1.0, 2 * boost::math::cdf(boost::math::complement(standard, std::abs(c.z))));
    const double critical = boost::math::quantile(boost::math::complement(standard, (1 - level) / 2));
    c.ci_lower = c.change - critical * c.se;
    c.ci_upper = c.change + critical * c.se;
    c.significant = c.p < 1 - level;
    return c;
}

IndexComparison compare_indices(const IndexWave& old_wave, const IndexWave& new_wave, double level) {
    IndexComparison out;
    out.constructs = old_wave.constructs;
    out.level = level;
    std::vector<std::size_t> new_position(old_wave.constructs.size());
    for (std::size_t j = 0; j < old_wave.constructs.size(); ++j) {
        const auto at = std::find(new_wave.constructs.begin(), new_wave.constructs.end(), old_wave.constructs[j]);
        if (at == new_wave.constructs.end())
            throw InputError("construct '" + old_wave.constructs[j] + "' is only in the old wave");
        new_position[j] = static_cast<std::size_t>(at - new_wave.constructs.begin());
    }
    for (const auto& name : new_wave.constructs)
        if (std::find(old_wave.constructs.begin(), old_wave.constructs.end(), name) == old_wave.constructs.end())
            throw InputError("construct '" + name + "' is only in the new wave");

    std::map<std::pair<std::string, std::string>, const IndexWave::Row*> new_rows;
    for (const auto& row : new_wave.rows) new_rows.emplace(std::make_pair(row.label, row.level), &row);
    std::map<std::pair<std::string, std::string>, bool> matched;
    const auto se_at = [](const IndexWave::Row& row, std::size_t j) {
        return j < row.se.size() ? row.se[j] : std::numeric_limits<double>::quiet_NaN();
    };
    for (const auto& old_row : old_wave.rows) {
        IndexComparison::Row row;
        row.label = old_row.label;
        row.level = old_row.level;
        row.n_old = old_row.n_obs;
        const auto found = new_rows.find({old_row.label, old_row.level});
        if (found == new_rows.end()) {
            row.status = "dropped";
            out.rows.push_back(std::move(row));
            continue;
        }
        matched[found->first] = true;
        const IndexWave::Row& new_row = *found->second;
        row.n_new = new_row.n_obs;
        if (!old_row.error.empty() || !new_row.error.empty()) {
            row.status = "error";
            row.note = !old_row.error.empty() ? "old wave: " + old_row.error : "new wave: " + new_row.error;
            out.rows.push_back(std::move(row));
            continue;
        }
        row.status = "both";
        for (std::size_t j = 0; j < out.constructs.size(); ++j)
            row.changes.push_back(index_change(old_row.index.at(j), se_at(old_row, j), new_row.index.at(new_position[j]),
                                               se_at(new_row, new_position[j]), level));
        out.rows.push_back(std::move(row));
    }
    for (const auto& new_row : new_wave.rows) {
        if (matched.count({new_row.label, new_row.level})) continue;
        IndexComparison::Row row;
        row.label = new_row.label;
        row.level = new_row.level;
        row.n_new = new_row.n_obs;
        row.status = "added";
        out.rows.push_back(std::move(row));
    }
    return out;
}

}  // namespace csipls
