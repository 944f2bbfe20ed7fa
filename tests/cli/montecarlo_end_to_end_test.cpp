// End-to-end tests of `csipls montecarlo` and `csipls merge`: one small study run whole, as
// --shard parts, as the shards of a launcher's environment (Open MPI's variables, a Slurm array's,
// a Kubernetes indexed Job's) and resumed from a checkpoint, all giving the same bytes; merges that
// must be refused; designs that must be refused before any work.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "cli_harness.hpp"

namespace {

using namespace csipls::cli_test;
using testing::HasSubstr;

const char* population = R"(A =~ 0.7*a1 + 0.7*a2 + 0.7*a3
B =~ 0.7*b1 + 0.7*b2 + 0.7*b3
C =~ 0.7*c1 + 0.7*c2 + 0.7*c3
B ~ 0.5*A
C ~ 0.3*A + 0.4*B
)";

std::string design(const std::string& seed = "1", const std::string& extra_factors = "") {
    return "[population]\nmodel = \"pop.model\"\n[factors]\nn = [60, 120]\nestimator = [\"pls\", \"plsc\"]\n" +
           extra_factors + "[run]\nreplications = 20\nbootstrap = 10\nseed = " + seed +
           "\nalpha = 0.05\nblock_size = 5\n";
}

class MonteCarloCliTest : public CliHarness {
protected:
    MonteCarloCliTest() : CliHarness("csipls_montecarlo_e2e", 120) {}

    void SetUp() override {
        CliHarness::SetUp();
        write_file(dir_ / "pop.model", population);
        write_file(dir_ / "study.toml", design("1", "missing = [0.1]\n"));
    }

    // The three summaries of a finished study directory, concatenated.
    std::string summaries(const std::string& out) {
        return read_file(dir_ / out / "summary.csv") + read_file(dir_ / out / "conditions.csv") +
               read_file(dir_ / out / "summary.json");
    }

    RunResult with_env(const std::vector<std::string>& env, std::vector<std::string> args) {
        std::vector<std::string> all = env;
        all.push_back(CSIPLS_EXECUTABLE);
        all.insert(all.end(), args.begin(), args.end());
        return run_program("/usr/bin/env", all);
    }
};

TEST_F(MonteCarloCliTest, ShardsLaunchersAndResumeGiveTheBytesOfOneRun) {
    const auto whole = run({"montecarlo", "--design", "study.toml", "--out", "whole", "--threads", "2", "--keep-replications"});
    ASSERT_EQ(whole.exit_code, 0) << whole;
    const std::string expected = summaries("whole");
    // One row per condition × parameter: 4 conditions × (3 paths + 9 weights + 9 loadings + 2 R²).
    const std::string csv = read_file(dir_ / "whole" / "summary.csv");
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 4 * 23);
    EXPECT_THAT(csv, testing::StartsWith("condition,n,estimator,missing,kind,from,to,population,mean,bias,"));
    EXPECT_THAT(csv, HasSubstr("\n4,120,plsc,0.1,path,A,B,0.5,"));
    // Every replication kept: block 4 of condition 4 holds replications 16-20, each with its path A → B.
    const std::string kept = read_file(dir_ / "whole" / "replications" / "condition-4-block-4.csv");
    EXPECT_THAT(kept, testing::StartsWith("replication,ok,converged,admissible,srmr,d_uls,d_g,fit_rejected_srmr,"
                                          "fit_rejected_d_uls,fit_rejected_d_g,path:A:B:estimate,"));
    // The exact-fit test's rejection rate by each discrepancy (empty: the design runs no test).
    EXPECT_THAT(read_file(dir_ / "whole" / "conditions.csv"),
                HasSubstr(",mean_d_g,fit_rejection_rate_srmr,fit_rejection_rate_d_uls,fit_rejection_rate_d_g\n"));
    EXPECT_THAT(kept, HasSubstr("\n20,1,1,"));
    EXPECT_EQ(std::count(kept.begin(), kept.end(), '\n'), 1 + 5);
    // The page: bias, RMSE and coverage charts for each kind, one line per estimator and missing share.
    const std::string page = read_file(dir_ / "whole" / "report.html");
    EXPECT_THAT(page, HasSubstr("aria-label=\"path: coverage against n\""));
    EXPECT_THAT(page, HasSubstr("plsc, missing 0.1"));

    for (const char* shard : {"2/3", "0/3", "1/3"}) {
        const auto part = run({"montecarlo", "--design", "study.toml", "--out", "sharded", "--shard", shard, "--threads", "1"});
        ASSERT_EQ(part.exit_code, 0) << part;
    }
    EXPECT_FALSE(fs::exists(dir_ / "sharded" / "summary.csv")) << "a shard alone writes no summary";
    ASSERT_EQ(run({"merge", "sharded"}).exit_code, 0);
    EXPECT_EQ(summaries("sharded"), expected);

    // The launchers' variables: Open MPI ranks, a Slurm array starting at 1, a Kubernetes index.
    for (const auto& env : std::vector<std::vector<std::string>>{
             {"OMPI_COMM_WORLD_RANK=0", "OMPI_COMM_WORLD_SIZE=2"}, {"OMPI_COMM_WORLD_RANK=1", "OMPI_COMM_WORLD_SIZE=2"}})
        ASSERT_EQ(with_env(env, {"montecarlo", "--design", "study.toml", "--out", "mpi"}).exit_code, 0);
    for (const char* id : {"1", "2", "3", "4"})
        ASSERT_EQ(with_env({std::string("SLURM_ARRAY_TASK_ID=") + id, "SLURM_ARRAY_TASK_COUNT=4", "SLURM_ARRAY_TASK_MIN=1"},
                           {"montecarlo", "--design", "study.toml", "--out", "slurm"})
                      .exit_code,
                  0);
    for (const char* index : {"0", "1"})
        ASSERT_EQ(with_env({std::string("JOB_COMPLETION_INDEX=") + index},
                           {"montecarlo", "--design", "study.toml", "--out", "k8s", "--shards", "2"})
                      .exit_code,
                  0);
    for (const char* out : {"mpi", "slurm", "k8s"}) {
        ASSERT_EQ(run({"merge", out}).exit_code, 0) << out;
        EXPECT_EQ(summaries(out), expected) << out;
    }
    EXPECT_TRUE(fs::exists(dir_ / "slurm" / "parts" / "part-3-of-4.mcpart"));

    // An interrupted run: its checkpoint lost the later blocks (as if killed after block 5).
    const fs::path part = dir_ / "whole" / "parts" / "part-0-of-1.mcpart";
    std::string checkpoint = read_file(part);
    checkpoint = std::regex_replace(checkpoint, std::regex("unit ([6-9]|[1-9][0-9]) [^\n]*\n"), "");
    ASSERT_THAT(checkpoint, testing::Not(HasSubstr("unit 6 ")));
    write_file(part, checkpoint);
    for (const char* file : {"summary.csv", "conditions.csv", "summary.json"}) fs::remove(dir_ / "whole" / file);
    const auto resumed = run({"montecarlo", "--design", "study.toml", "--out", "whole", "--resume"});
    ASSERT_EQ(resumed.exit_code, 0) << resumed;
    EXPECT_EQ(summaries("whole"), expected);
}

TEST_F(MonteCarloCliTest, MergeRefusesGapsForeignDesignsAndDuplicates) {
    ASSERT_EQ(run({"montecarlo", "--design", "study.toml", "--out", "out", "--shard", "0/3"}).exit_code, 0);
    ASSERT_EQ(run({"montecarlo", "--design", "study.toml", "--out", "out", "--shard", "2/3"}).exit_code, 0);
    expect_clean_failure(run({"merge", "out"}), 1, {"blocks are missing", "shards: 1/3"});

    write_file(dir_ / "other.toml", design("2", "missing = [0.1]\n"));
    ASSERT_EQ(run({"montecarlo", "--design", "other.toml", "--out", "foreign", "--shard", "1/3"}).exit_code, 0);
    fs::copy(dir_ / "foreign" / "parts" / "part-1-of-3.mcpart", dir_ / "out" / "parts" / "part-1-of-3.mcpart");
    expect_clean_failure(run({"merge", "out"}), 1, {"part-1-of-3.mcpart", "a part of another design"});

    ASSERT_EQ(run({"montecarlo", "--design", "study.toml", "--out", "out", "--shard", "1/3"}).exit_code, 0);
    fs::copy(dir_ / "out" / "parts" / "part-0-of-3.mcpart", dir_ / "out" / "parts" / "part-0-of-3-copy.mcpart");
    expect_clean_failure(run({"merge", "out"}), 1, {"is also in", "duplicate"});
    fs::remove(dir_ / "out" / "parts" / "part-0-of-3-copy.mcpart");
    EXPECT_EQ(run({"merge", "out"}).exit_code, 0);

    expect_clean_failure(run({"montecarlo", "--design", "study.toml", "--out", "x", "--shard", "3/3"}), 2,
                         {"shard index", "outside 0"});
}

TEST_F(MonteCarloCliTest, BadDesignsAreRefusedBeforeAnyWork) {
    write_file(dir_ / "typo.toml", design("1", "replication_count = [3]\n"));
    expect_clean_failure(run({"montecarlo", "--design", "typo.toml", "--out", "o"}), 1,
                         {"typo.toml:6:", "unknown key 'replication_count' in [factors]"});
    write_file(dir_ / "empty.toml", design("1", "scheme = []\n"));
    expect_clean_failure(run({"montecarlo", "--design", "empty.toml", "--out", "o"}), 1,
                         {"empty.toml:6:", "factor 'scheme' has an empty list"});
    write_file(dir_ / "level.toml", design("1", "distribution = [\"normal\", \"cauchy\"]\n"));
    expect_clean_failure(run({"montecarlo", "--design", "level.toml", "--out", "o"}), 1,
                         {"level.toml:6:", "'cauchy' is not a level of 'distribution'"});
    std::string small = design();
    small.replace(small.find("n = [60, 120]"), 13, "n = [3, 120]");
    write_file(dir_ / "small.toml", small);
    expect_clean_failure(run({"montecarlo", "--design", "small.toml", "--out", "o"}), 2,
                         {"n = 3 is below the analysis model's minimum"});
    std::string weighted = design("1", "case_weights = [true]\n");
    weighted.replace(weighted.find("bootstrap = 10"), 14, "bootstrap = 10\nfit_test = 10");
    write_file(dir_ / "weighted.toml", weighted);
    expect_clean_failure(run({"montecarlo", "--design", "weighted.toml", "--out", "o"}), 2,
                         {"the exact-fit test (fit_test > 0) does not work with case weights"});
    EXPECT_FALSE(fs::exists(dir_ / "o")) << "nothing is written for a refused design";
}

}  // namespace
