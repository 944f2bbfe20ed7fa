#pragma once
// Files of a Monte Carlo study: the design (TOML, read with toml++), the parts (one per shard: the
// tallies of the blocks it completed, doubles written as hexadecimal floats so that they read back
// bit for bit) and the summaries (CSV and JSON).
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "csipls/core/montecarlo.hpp"

namespace csipls {

struct LoadedDesign {
    std::string path;  // as given
    std::string hash;  // xxh64 of the design file and of the model files it names
    MonteCarloDesign design;
    // Factors given in the design beyond n and estimator, in the fixed order of the crossing:
    // one summary column each.
    std::vector<std::string> extra_factors;
};

// Reads and checks a design file; conditions are the factors crossed in the order n, estimator,
// scheme, missing, mechanism, treatment, distribution, scale_points, case_weights (the last varies
// fastest). Throws InputError naming the file, line and key (unknown keys, wrong types, empty
// lists) and what the models' readers throw.
LoadedDesign read_design(const std::string& path);

// A factor's value in condition c, as written in the summaries.
std::string factor_value(const MonteCarloCondition& condition, const std::string& factor);

// One shard's completed blocks: unit u = condition · blocks_per_condition + block.
struct MonteCarloPart {
    std::string design_hash;
    std::string design_path;
    int shard = 0;
    int shards = 1;
    long units = 0;        // of the whole design
    int parameters = 0;
    std::map<long, ConditionTally> completed;
};

void write_part(std::ostream& out, const MonteCarloPart& part);
// Throws InputError naming the file and line of anything malformed.
MonteCarloPart read_part(const std::string& path);

// summary.csv: one row per condition × parameter; conditions.csv: one row per condition.
void write_summary_csv(std::ostream& out, const LoadedDesign& loaded, const MonteCarloPlan& plan,
                       const std::vector<ConditionOutcome>& outcomes);
void write_conditions_csv(std::ostream& out, const LoadedDesign& loaded, const std::vector<ConditionOutcome>& outcomes);
void write_summary_json(std::ostream& out, const LoadedDesign& loaded, const MonteCarloPlan& plan,
                        const std::vector<ConditionOutcome>& outcomes);

}  // namespace csipls
