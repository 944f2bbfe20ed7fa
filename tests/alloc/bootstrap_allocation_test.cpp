// The bootstrap's replicate loop must not allocate: every buffer is sized before the loop. This
// binary counts calls to malloc (all of C++ and Eigen allocate through it, with glibc) and checks
// that 400 more replicates cost no more allocations than 100.
#include <atomic>
#include <cstdlib>
#include <gtest/gtest.h>

#include "csipls/core/bootstrap.hpp"
#include "csipls/io/csv.hpp"
#include "csipls/io/model_file.hpp"

extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* pointer, std::size_t size);
}

namespace {
std::atomic<long> allocations{0};
}

extern "C" void* malloc(std::size_t size) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    return __libc_malloc(size);
}
extern "C" void* calloc(std::size_t count, std::size_t size) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    return __libc_calloc(count, size);
}
extern "C" void* realloc(void* pointer, std::size_t size) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    return __libc_realloc(pointer, size);
}

TEST(BootstrapAllocation, ReplicateLoopAllocatesNothing) {
    const csipls::Model model = csipls::read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/models/ccsi.model");
    const csipls::Dataset data =
        csipls::read_csv(std::string(CSIPLS_SOURCE_DIR) + "/data/ccsi_example.csv", model.all_indicators());
    const csipls::PlsResult original = csipls::estimate(model, csipls::compute_moments(data), csipls::EstimationOptions{});
    auto count = [&](int resamples, csipls::InnerScheme scheme) {
        csipls::BootstrapOptions options;
        options.resamples = resamples;
        options.threads = 2;
        csipls::PlsResult start = original;
        start.options.scheme = scheme;
        const long before = allocations.load();
        const csipls::BootstrapResult result = csipls::bootstrap(model, data, start, options);
        EXPECT_EQ(result.succeeded, resamples);
        return allocations.load() - before;
    };
    for (auto scheme : {csipls::InnerScheme::path, csipls::InnerScheme::centroid, csipls::InnerScheme::factorial}) {
        count(10, scheme);  // let OpenMP build its thread pool first
        const long few = count(100, scheme);
        const long many = count(500, scheme);
        EXPECT_EQ(many, few) << csipls::to_string(scheme) << ": allocations grow with the number of replicates";
    }
}

// The other paths through a replicate: mode-B blocks, CSI indices, both sign changes.
TEST(BootstrapAllocation, FormativeBlocksIndicesAndSignChangesAllocateNothing) {
    csipls::Model model = csipls::read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/models/ccsi.model");
    model.constructs[0].mode = csipls::MeasurementMode::formative;
    model.constructs[3].mode = csipls::MeasurementMode::formative;
    const csipls::Dataset data =
        csipls::read_csv(std::string(CSIPLS_SOURCE_DIR) + "/data/ccsi_example.csv", model.all_indicators());
    const csipls::PlsResult original = csipls::estimate(model, csipls::compute_moments(data), csipls::EstimationOptions{});
    for (auto sign_change : {csipls::SignChange::individual, csipls::SignChange::construct}) {
        auto count = [&](int resamples) {
            csipls::BootstrapOptions options;
            options.resamples = resamples;
            options.threads = 2;
            options.sign_change = sign_change;
            options.index_scales.assign(original.indicators.size(), csipls::AnswerScale{1, 10});
            const long before = allocations.load();
            const csipls::BootstrapResult result = csipls::bootstrap(model, data, original, options);
            EXPECT_EQ(result.succeeded, resamples);
            return allocations.load() - before;
        };
        count(10);
        EXPECT_EQ(count(500), count(100)) << csipls::to_string(sign_change);
    }
}
