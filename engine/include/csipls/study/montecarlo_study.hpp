#pragma once
// A Monte Carlo study on disk: a run (all of it, or one shard of it) that checkpoints each completed
// block into its part file, and the merge of the parts into the summaries.
//
// Layout of the output directory:
//   parts/part-I-of-N.mcpart  the tallies of shard I's completed blocks (rewritten atomically after
//                             every block: the checkpoint a --resume continues from)
//   summary.csv, conditions.csv, summary.json   written by an unsharded run, and by merge
//   replications/condition-C-block-B.csv        with --keep-replications
//
// Shard I of N runs the units (condition, block) numbered ⌊I·U/N⌋ … ⌊(I+1)·U/N⌋ − 1 of the U units.
// The totals are always the units' tallies summed in unit order, so that a merge of any number of
// shards gives the bytes of the unsharded run.
#include <functional>
#include <optional>
#include <string>

#include "csipls/core/bootstrap.hpp"
#include "csipls/io/montecarlo_io.hpp"

namespace csipls {

struct ShardChoice {
    int index = 0;
    int count = 1;
    std::string source;  // "--shard", or the environment variables it came from
};

// The shard from --shard I/N (`shard_text`, may be empty) or, when not given, from the launcher's
// environment: SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT (less SLURM_ARRAY_TASK_MIN),
// OMPI_COMM_WORLD_RANK/SIZE, PMI_RANK/PMI_SIZE, SLURM_PROCID/SLURM_NTASKS, JOB_COMPLETION_INDEX with
// `shards` (--shards N). `getenv` is std::getenv except in tests. Throws UsageError for a malformed
// or out-of-range choice.
ShardChoice choose_shard(const std::string& shard_text, int shards,
                         const std::function<const char*(const char*)>& getenv);

struct MonteCarloRunOptions {
    std::string out_dir;
    ShardChoice shard;
    bool resume = false;
    // Each block's per-replication values (status, fit, and per parameter estimate, se and interval)
    // in out_dir/replications/condition-C-block-B.csv.
    bool keep_replications = false;
    std::optional<int> threads;  // overrides the design's
};

// Units of shard `index` of `count` among `units`: [first, last).
std::pair<long, long> shard_units(long units, int index, int count);

std::string part_path(const std::string& out_dir, int index, int count);

// Runs the shard's units not yet in its part (all of them unless resuming), writing the part after
// each. With one shard, writes the summaries too. Returns the number of replications to run (for a
// progress bar, call `on_start` with it before the work begins).
void run_monte_carlo_study(const LoadedDesign& loaded, const MonteCarloRunOptions& options, BootstrapMonitor* monitor,
                           const std::function<void(long replications)>& on_start = {});

// Reads out_dir/parts/*.mcpart, refuses parts of another design, duplicate units and gaps (naming
// the missing shards), and writes the summaries. Returns the design path the parts name.
void merge_monte_carlo_parts(const std::string& out_dir);

}  // namespace csipls
