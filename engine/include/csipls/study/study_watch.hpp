#pragma once
// run_study for a caller that must keep its own thread: an interpreter (R, Python) whose main thread
// alone may check for Ctrl-C and draw progress. The study runs on a worker thread while the calling
// thread watches it.
#include <chrono>
#include <functional>
#include <string>

#include "csipls/study/study.hpp"

namespace csipls {

// Called on the calling thread every `interval` while a long stage runs, with the stage's name
// ("bootstrap", "fit test", "groups", ...), the steps done and their total; once more with an empty
// stage when the run ends, if a stage was shown.
using StudyWatch = std::function<void(const std::string& stage, long done, long total)>;

// Runs run_study. An exception thrown by `watch` cancels the run and is rethrown once the engine has
// stopped (no thread outlives the call). A study without long stages (no bootstrap, fit test,
// permutations or groups) runs on the calling thread without watching: a thread would cost more
// than the estimate.
StudyResult run_study_watched(const Model& model, Dataset data, const StudyOptions& options, const StudyWatch& watch,
                              std::chrono::milliseconds interval = std::chrono::milliseconds(100));

}  // namespace csipls
