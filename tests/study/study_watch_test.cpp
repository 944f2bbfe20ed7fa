// run_study_watched: the calling thread watches a study on a worker thread and may stop it.
#include <gtest/gtest.h>

#include <stdexcept>

#include "csipls/study/study_files.hpp"
#include "csipls/study/study_watch.hpp"

namespace csipls {
namespace {

const std::string watch_source_dir = CSIPLS_SOURCE_DIR;

struct Ccsi {
    Model model = load_model(watch_source_dir + "/models/ccsi.model");
    Dataset data = load_study_data(watch_source_dir + "/data/ccsi_example.csv", model, StudyOptions{});
};

TEST(StudyWatchTest, TheWatchSeesTheBootstrapAndTheResultIsRunStudys) {
    const Ccsi ccsi;
    StudyOptions options;
    options.bootstrap.resamples = 300;
    options.threads = 1;
    long calls = 0, last_total = 0;
    std::string first_stage = "none", last_stage = "none";
    const StudyResult watched = run_study_watched(
        ccsi.model, ccsi.data, options,
        [&](const std::string& stage, long done, long total) {
            if (calls++ == 0) first_stage = stage;
            last_stage = stage;
            if (!stage.empty()) last_total = total;
            EXPECT_LE(done, total);
        },
        std::chrono::milliseconds(1));
    EXPECT_EQ(watched.to_json(), run_study(ccsi.model, ccsi.data, options).to_json());
    if (calls > 0) {  // a fast machine may finish before the first look
        EXPECT_EQ(first_stage, "bootstrap");
        EXPECT_EQ(last_total, 300);
        EXPECT_EQ(last_stage, "") << "the last call says the run ended";
    }
}

TEST(StudyWatchTest, AnExceptionFromTheWatchCancelsTheRunAndIsRethrown) {
    const Ccsi ccsi;
    StudyOptions options;
    options.bootstrap.resamples = 10'000'000;  // hours unless cancelled
    options.threads = 1;
    EXPECT_THROW(run_study_watched(ccsi.model, ccsi.data, options,
                                   [](const std::string& stage, long, long) {
                                       if (!stage.empty()) throw std::runtime_error("stop");
                                   },
                                   std::chrono::milliseconds(1)),
                 std::runtime_error);
}

TEST(StudyWatchTest, AStudyWithoutLongStagesIsNotWatched) {
    const Ccsi ccsi;
    long calls = 0;
    const StudyResult result = run_study_watched(ccsi.model, ccsi.data, StudyOptions{},
                                                 [&](const std::string&, long, long) { ++calls; });
    EXPECT_EQ(calls, 0);
    EXPECT_TRUE(result.converged());
}

}  // namespace
}  // namespace csipls
