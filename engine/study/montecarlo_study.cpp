#include "csipls/study/montecarlo_study.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>

#include "csipls/core/error.hpp"
#include "csipls/io/file_util.hpp"
#include "csipls/io/result_writers.hpp"

namespace csipls {

namespace fs = std::filesystem;

namespace {

bool parse_int(std::string_view text, int& value) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && end == text.data() + text.size();
}

ShardChoice checked(ShardChoice choice) {
    if (choice.count < 1 || choice.count > 1'000'000)
        throw UsageError("the shard count from " + choice.source + " must be between 1 and 1000000, got " +
                         std::to_string(choice.count));
    if (choice.index < 0 || choice.index >= choice.count)
        throw UsageError("the shard index from " + choice.source + " is " + std::to_string(choice.index) +
                         ", outside 0 … " + std::to_string(choice.count - 1));
    return choice;
}

// The summaries of the totals: the units' tallies summed in unit order.
void write_summaries(const std::string& out_dir, const LoadedDesign& loaded, const MonteCarloPlan& plan,
                     const std::map<long, ConditionTally>& units) {
    const int blocks = plan.design.blocks_per_condition();
    std::vector<ConditionOutcome> outcomes;
    for (std::size_t c = 0; c < plan.design.conditions.size(); ++c) {
        ConditionTally total;
        for (int b = 0; b < blocks; ++b) add_tally(total, units.at(static_cast<long>(c) * blocks + b));
        outcomes.push_back(summarize_condition(plan, total));
    }
    OutputBatch batch;
    batch.stage(out_dir + "/summary.csv", [&](std::ostream& out) { write_summary_csv(out, loaded, plan, outcomes); });
    batch.stage(out_dir + "/conditions.csv", [&](std::ostream& out) { write_conditions_csv(out, loaded, outcomes); });
    batch.stage(out_dir + "/summary.json", [&](std::ostream& out) { write_summary_json(out, loaded, plan, outcomes); });
    batch.commit();
}

// One block's replications: numbered from 1, a row each, NaN cells empty.
void write_replications(const std::string& out_dir, const MonteCarloPlan& plan, int condition, int block,
                        const ReplicationRecords& records) {
    std::vector<std::string> header = {"replication", "ok", "converged", "admissible", "srmr", "d_uls", "d_g",
                                       "fit_rejected_srmr", "fit_rejected_d_uls", "fit_rejected_d_g"};
    for (const auto& parameter : plan.parameters) {
        const std::string name = std::string(parameter_kind(parameter.kind).name) + ":" + parameter.from_name + ":" + parameter.to_name;
        for (const char* what : {":estimate", ":se", ":lower", ":upper"}) header.push_back(name + what);
    }
    Eigen::MatrixXd table(records.values.rows(), records.values.cols() + 1);
    for (Eigen::Index r = 0; r < table.rows(); ++r) table(r, 0) = static_cast<double>(records.first_replication + r + 1);
    table.rightCols(records.values.cols()) = records.values;
    fs::create_directories(out_dir + "/replications");
    write_file_atomically(out_dir + "/replications/condition-" + std::to_string(condition + 1) + "-block-" +
                              std::to_string(block + 1) + ".csv",
                          [&](std::ostream& out) { write_csv_table(out, header, table); });
}

}  // namespace

ShardChoice choose_shard(const std::string& shard_text, int shards,
                         const std::function<const char*(const char*)>& getenv) {
    if (!shard_text.empty()) {
        const auto slash = shard_text.find('/');
        ShardChoice choice;
        choice.source = "--shard " + shard_text;
        if (slash == std::string::npos || !parse_int(std::string_view(shard_text).substr(0, slash), choice.index) ||
            !parse_int(std::string_view(shard_text).substr(slash + 1), choice.count))
            throw UsageError("--shard takes I/N (shard I of N, counted from 0), got '" + shard_text + "'");
        return checked(choice);
    }
    const auto pair = [&](const char* index_name, const char* count_name) -> std::optional<ShardChoice> {
        const char* index = getenv(index_name);
        const char* count = getenv(count_name);
        if (!index || !count) return std::nullopt;
        ShardChoice choice;
        choice.source = std::string(index_name) + "/" + count_name;
        if (!parse_int(index, choice.index) || !parse_int(count, choice.count))
            throw UsageError(choice.source + " are not whole numbers: '" + index + "', '" + count + "'");
        return choice;
    };
    if (auto choice = pair("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT")) {
        // Arrays may start anywhere (--array=1-4): shards count from the first task.
        int first = 0;
        if (const char* min = getenv("SLURM_ARRAY_TASK_MIN"); min && parse_int(min, first)) choice->index -= first;
        return checked(*choice);
    }
    for (const auto& [index, count] : {std::pair{"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"},
                                       std::pair{"PMI_RANK", "PMI_SIZE"}, std::pair{"SLURM_PROCID", "SLURM_NTASKS"}})
        if (auto choice = pair(index, count)) return checked(*choice);
    if (const char* index = getenv("JOB_COMPLETION_INDEX")) {
        ShardChoice choice;
        choice.source = "JOB_COMPLETION_INDEX with --shards";
        if (!parse_int(index, choice.index)) throw UsageError("JOB_COMPLETION_INDEX is not a whole number: '" + std::string(index) + "'");
        if (shards < 1) throw UsageError("JOB_COMPLETION_INDEX is set: give the number of shards with --shards N");
        choice.count = shards;
        return checked(choice);
    }
    ShardChoice whole;
    whole.source = "the default (no shard)";
    if (shards > 1) throw UsageError("--shards N needs --shard I/N or a launcher's index in the environment");
    return whole;
}

std::pair<long, long> shard_units(long units, int index, int count) {
    return {units * index / count, units * (index + 1) / count};
}

std::string part_path(const std::string& out_dir, int index, int count) {
    return out_dir + "/parts/part-" + std::to_string(index) + "-of-" + std::to_string(count) + ".mcpart";
}

void run_monte_carlo_study(const LoadedDesign& loaded, const MonteCarloRunOptions& options, BootstrapMonitor* monitor,
                           const std::function<void(long replications)>& on_start) {
    MonteCarloDesign design = loaded.design;
    if (options.threads) design.threads = *options.threads;
    const MonteCarloPlan plan = plan_monte_carlo(design);  // every check before any work
    const ShardChoice& shard = options.shard;
    const long units = design.units();
    const auto [first, last] = shard_units(units, shard.index, shard.count);

    fs::create_directories(options.out_dir + "/parts");
    const std::string path = part_path(options.out_dir, shard.index, shard.count);
    MonteCarloPart part;
    if (options.resume && fs::exists(path)) {
        part = read_part(path);
        if (part.design_hash != loaded.hash)
            throw InputError(path + ": the checkpoint belongs to another design (xxh64 " + part.design_hash +
                             ", this design " + loaded.hash + "); start afresh without --resume or use another --out");
        if (part.shard != shard.index || part.shards != shard.count)
            throw InputError(path + ": the checkpoint is of shard " + std::to_string(part.shard) + "/" +
                             std::to_string(part.shards));
    }
    part.design_hash = loaded.hash;
    part.design_path = fs::absolute(loaded.path).lexically_normal().string();
    part.shard = shard.index;
    part.shards = shard.count;
    part.units = units;
    part.parameters = static_cast<int>(plan.parameters.size());

    const int blocks = design.blocks_per_condition();
    long to_run = 0;
    for (long u = first; u < last; ++u)
        if (!part.completed.count(u))
            to_run += std::min(design.block_size, design.replications - static_cast<int>(u % blocks) * design.block_size);
    if (on_start) on_start(to_run);
    for (long u = first; u < last; ++u) {
        if (part.completed.count(u)) continue;
        const int condition = static_cast<int>(u / blocks), block = static_cast<int>(u % blocks);
        ReplicationRecords records;
        part.completed.emplace(u, run_monte_carlo_block(plan, condition, block, monitor, &records));
        if (options.keep_replications) write_replications(options.out_dir, plan, condition, block, records);
        write_file_atomically(path, [&](std::ostream& out) { write_part(out, part); });
    }
    if (shard.count == 1) write_summaries(options.out_dir, loaded, plan, part.completed);
}

void merge_monte_carlo_parts(const std::string& out_dir) {
    const fs::path parts_dir = fs::path(out_dir) / "parts";
    std::vector<std::string> files;
    if (fs::is_directory(parts_dir))
        for (const auto& entry : fs::directory_iterator(parts_dir))
            if (entry.path().extension() == ".mcpart") files.push_back(entry.path().string());
    std::sort(files.begin(), files.end());
    if (files.empty()) throw InputError(parts_dir.string() + ": no parts (*.mcpart) to merge");

    std::vector<MonteCarloPart> parts;
    for (const auto& file : files) parts.push_back(read_part(file));
    const MonteCarloPart& reference = parts.front();
    for (std::size_t i = 1; i < parts.size(); ++i)
        if (parts[i].design_hash == reference.design_hash && parts[i].shards != reference.shards)
            throw InputError(files[i] + ": a part of " + std::to_string(parts[i].shards) + " shards beside " + files[0] +
                             " of " + std::to_string(reference.shards) + "; merge the parts of one sharding only");
        else if (parts[i].design_hash != reference.design_hash || parts[i].units != reference.units)
            throw InputError(files[i] + ": a part of another design (xxh64 " + parts[i].design_hash + ") than " + files[0] +
                             " (xxh64 " + reference.design_hash + "); merge the parts of one study only");

    const LoadedDesign loaded = read_design(reference.design_path);
    if (loaded.hash != reference.design_hash)
        throw InputError(reference.design_path + ": the design or its models changed since the parts were written (xxh64 " +
                         loaded.hash + ", the parts " + reference.design_hash + ")");
    const MonteCarloPlan plan = plan_monte_carlo(loaded.design);

    std::map<long, ConditionTally> units;
    std::map<long, std::string> owner;
    for (std::size_t i = 0; i < parts.size(); ++i)
        for (const auto& [unit, tally] : parts[i].completed) {
            if (owner.count(unit))
                throw InputError(files[i] + ": block " + std::to_string(unit) + " is also in " + owner[unit] +
                                 " (duplicate parts: remove the ones of the other sharding)");
            owner[unit] = files[i];
            units.emplace(unit, tally);
        }
    if (static_cast<long>(units.size()) != reference.units) {
        // Name the shards (of the parts' own counts) whose blocks are missing.
        std::string missing;
        std::map<int, bool> named;
        for (long u = 0; u < reference.units; ++u) {
            if (units.count(u)) continue;
            // Of the first part's sharding: the shard that should have held block u.
            const int count = reference.shards;
            int index = 0;
            while (shard_units(reference.units, index, count).second <= u) ++index;
            if (!named[index]) {
                named[index] = true;
                missing += (missing.empty() ? "" : ", ") + std::to_string(index) + "/" + std::to_string(count);
            }
        }
        throw InputError(out_dir + ": " + std::to_string(reference.units - static_cast<long>(units.size())) + " of " +
                         std::to_string(reference.units) + " blocks are missing; missing or unfinished shards: " + missing);
    }
    write_summaries(out_dir, loaded, plan, units);
}

}  // namespace csipls
