#include "csipls/core/mediation.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <numeric>

#include "csipls/core/error.hpp"
#include "csipls/core/moments.hpp"
#include "csipls/io/csv.hpp"
#include "csipls/io/model_file.hpp"

namespace csipls {
namespace {

namespace fs = std::filesystem;

struct Ecsi {
    Model model;
    Dataset data;
    PlsResult result;
};

const Ecsi* ecsi_on_mobi() {
    static const std::optional<Ecsi> ecsi = []() -> std::optional<Ecsi> {
        const fs::path mobi = fs::path(CSIPLS_SHARED_DIR) / "data" / "mobi.csv";
        if (!fs::exists(mobi)) return std::nullopt;
        Ecsi out;
        out.model = read_model_file(std::string(CSIPLS_SOURCE_DIR) + "/models/ecsi.model");
        out.data = read_csv(mobi.string(), out.model.all_indicators());
        out.result = estimate(out.model, compute_moments(out.data), EstimationOptions{});
        return out;
    }();
    return ecsi ? &*ecsi : nullptr;
}

#define SKIP_WITHOUT_MOBI(ecsi) \
    if (!(ecsi)) GTEST_SKIP() << "the shared folder " << CSIPLS_SHARED_DIR << " with data/mobi.csv is absent"

int position(const PlsResult& result, const std::string& name) {
    return static_cast<int>(std::find(result.constructs.begin(), result.constructs.end(), name) - result.constructs.begin());
}

// The specific effects of each antecedent and consequence add up to the total indirect effect.
TEST(Mediation, RoutesAddUpToTheIndirectEffects) {
    const Ecsi* ecsi = ecsi_on_mobi();
    SKIP_WITHOUT_MOBI(ecsi);
    const PlsResult& r = ecsi->result;
    const MediationResult mediation = specific_indirect_effects(r, nullptr);
    ASSERT_FALSE(mediation.effects.empty());
    const auto n = static_cast<Eigen::Index>(r.constructs.size());
    Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(n, n);
    Eigen::MatrixXi routes = Eigen::MatrixXi::Zero(n, n);
    for (const auto& effect : mediation.effects) {
        ASSERT_GE(effect.route.size(), 3u);
        double product = 1;
        for (std::size_t k = 1; k < effect.route.size(); ++k) {
            const double path = r.path_coefficients(effect.route[k - 1], effect.route[k]);
            ASSERT_NE(path, 0.0) << "a route follows paths of the model";
            product *= path;
        }
        EXPECT_DOUBLE_EQ(effect.estimate, product);
        EXPECT_FALSE(effect.bootstrap);
        EXPECT_FALSE(effect.type);
        sum(effect.route.front(), effect.route.back()) += effect.estimate;
        routes(effect.route.front(), effect.route.back()) += 1;
    }
    for (Eigen::Index a = 0; a < n; ++a)
        for (Eigen::Index b = 0; b < n; ++b) {
            EXPECT_NEAR(sum(a, b), r.indirect_effects(a, b), 1e-12) << r.constructs[a] << " -> " << r.constructs[b];
            EXPECT_EQ(routes(a, b), r.indirect_routes(a, b));
        }
    // The first routes: Image's, by consequence in model order, depth first.
    const int image = position(r, "Image"), expectation = position(r, "Expectation"), quality = position(r, "Quality");
    EXPECT_EQ(mediation.effects.front().route, (std::vector<int>{image, expectation, quality}));
}

TEST(Mediation, RoutesRestrictedToOneAntecedentAndConsequence) {
    const Ecsi* ecsi = ecsi_on_mobi();
    SKIP_WITHOUT_MOBI(ecsi);
    const PlsResult& r = ecsi->result;
    const int image = position(r, "Image"), loyalty = position(r, "Loyalty");
    const auto routes = indirect_routes(r, image, loyalty);
    EXPECT_EQ(static_cast<int>(routes.size()), r.indirect_routes(image, loyalty));
    for (const auto& route : routes) {
        EXPECT_EQ(route.front(), image);
        EXPECT_EQ(route.back(), loyalty);
    }
    EXPECT_THROW(indirect_routes(r, 99, -1), UsageError);
}

// A route's bootstrap is the product of its paths' draws, summarized as every parameter; BCa takes
// the products of the paths' jackknife values.
TEST(Mediation, BootstrapOfARouteIsThatOfTheProductOfItsPathsDraws) {
    const Ecsi* ecsi = ecsi_on_mobi();
    SKIP_WITHOUT_MOBI(ecsi);
    const PlsResult& r = ecsi->result;
    for (const auto ci : {ConfidenceInterval::percentile, ConfidenceInterval::bca}) {
        BootstrapOptions options;
        options.resamples = 200;
        options.seed = 3;
        options.ci = ci;
        const BootstrapResult boot = bootstrap(ecsi->model, ecsi->data, r, options);
        const MediationResult mediation = specific_indirect_effects(r, &boot);
        for (const auto& effect : mediation.effects) {
            ASSERT_TRUE(effect.bootstrap);
            std::vector<double> products;
            for (Eigen::Index d = 0; d < boot.draws.rows(); ++d) {
                double product = 1;
                for (std::size_t k = 1; k < effect.route.size(); ++k)
                    for (std::size_t i = 0; i < boot.parameters.size(); ++i)
                        if (boot.parameters[i].kind == BootstrapParameter::Kind::path && boot.parameters[i].from == effect.route[k - 1] &&
                            boot.parameters[i].to == effect.route[k])
                            product *= boot.draws(d, static_cast<Eigen::Index>(i));
                products.push_back(product);
            }
            // Bit for bit the summary of the products, BCa with the products of the paths' jackknife values.
            std::vector<double> jackknife;
            for (Eigen::Index g = 0; g < boot.jackknife.cols(); ++g)
                if (boot.jackknife_ok[static_cast<std::size_t>(g)]) {
                    double product = 1;
                    for (std::size_t k = 1; k < effect.route.size(); ++k)
                        for (std::size_t i = 0; i < boot.parameters.size(); ++i)
                            if (boot.parameters[i].kind == BootstrapParameter::Kind::path && boot.parameters[i].from == effect.route[k - 1] &&
                                boot.parameters[i].to == effect.route[k])
                                product *= boot.jackknife(static_cast<Eigen::Index>(i), g);
                    jackknife.push_back(product);
                }
            EXPECT_EQ(jackknife.empty(), ci != ConfidenceInterval::bca);
            std::vector<double> copy = products;
            const ParameterSummary expected = summarize_draws(effect.estimate, copy, jackknife, options, r.n_obs);
            EXPECT_EQ(effect.bootstrap->ci_lower, expected.ci_lower);
            EXPECT_EQ(effect.bootstrap->ci_upper, expected.ci_upper);
            EXPECT_EQ(effect.bootstrap->p, expected.p);
            EXPECT_EQ(effect.type.has_value(), effect.has_direct_path);
            const double mean = std::accumulate(products.begin(), products.end(), 0.0) / static_cast<double>(products.size());
            double squares = 0;
            for (const double v : products) squares += (v - mean) * (v - mean);
            EXPECT_NEAR(effect.bootstrap->se, std::sqrt(squares / static_cast<double>(products.size() - 1)), 1e-15);
            EXPECT_NEAR(effect.bootstrap->boot_mean, mean, 1e-15);
            EXPECT_LT(effect.bootstrap->ci_lower, effect.bootstrap->ci_upper);
            if (ci == ConfidenceInterval::percentile) {
                std::sort(products.begin(), products.end());
                EXPECT_GE(effect.bootstrap->ci_lower, products.front());
                EXPECT_LE(effect.bootstrap->ci_upper, products.back());
            }
        }
    }
}

// X → M → Y with a direct path X → Y: the five types from made-up draws.
struct Triangle {
    PlsResult result;
    BootstrapResult boot;
};

Triangle triangle(double a, double b, double c, double spread_a, double spread_c) {
    Triangle t;
    PlsResult& r = t.result;
    r.n_obs = 200;
    r.constructs = {"X", "M", "Y"};
    r.paths = {{0, 1}, {1, 2}, {0, 2}};
    r.path_coefficients = Eigen::MatrixXd::Zero(3, 3);
    r.path_coefficients(0, 1) = a;
    r.path_coefficients(1, 2) = b;
    r.path_coefficients(0, 2) = c;
    r.indirect_routes = Eigen::MatrixXi::Zero(3, 3);
    r.indirect_routes(0, 2) = 1;
    BootstrapResult& boot = t.boot;
    boot.options.resamples = 101;
    boot.succeeded = 101;
    boot.parameters = {{BootstrapParameter::Kind::path, 0, 1}, {BootstrapParameter::Kind::path, 1, 2}, {BootstrapParameter::Kind::path, 0, 2}};
    boot.draws.resize(101, 3);
    for (Eigen::Index d = 0; d < 101; ++d) {
        const double u = static_cast<double>(d - 50) / 50.0;  // −1 … 1, evenly
        boot.draws(d, 0) = a + spread_a * u;
        boot.draws(d, 1) = b + 0.01 * u;
        boot.draws(d, 2) = c + spread_c * u;
    }
    for (Eigen::Index i = 0; i < 3; ++i) {
        std::vector<double> column(boot.draws.col(i).begin(), boot.draws.col(i).end());
        boot.summaries.push_back(summarize_draws(r.path_coefficients(boot.parameters[static_cast<std::size_t>(i)].from,
                                                                     boot.parameters[static_cast<std::size_t>(i)].to),
                                                 column, {}, boot.options, r.n_obs));
    }
    return t;
}

MediationType type_of(const Triangle& t) {
    const MediationResult m = specific_indirect_effects(t.result, &t.boot);
    EXPECT_EQ(m.effects.size(), 1u);
    EXPECT_TRUE(m.effects.at(0).type.has_value());
    return m.effects.at(0).type.value_or(MediationType::none);
}

TEST(Mediation, ZhaoLynchChenTypes) {
    EXPECT_EQ(type_of(triangle(0.5, 0.5, 0.3, 0.05, 0.05)), MediationType::complementary);
    EXPECT_EQ(type_of(triangle(-0.5, 0.5, -0.3, 0.05, 0.05)), MediationType::complementary) << "both negative";
    EXPECT_EQ(type_of(triangle(0.5, 0.5, -0.3, 0.05, 0.05)), MediationType::competitive);
    EXPECT_EQ(type_of(triangle(0.5, 0.5, 0.02, 0.05, 0.1)), MediationType::indirect_only);
    EXPECT_EQ(type_of(triangle(0.05, 0.5, 0.3, 0.2, 0.05)), MediationType::direct_only);
    EXPECT_EQ(type_of(triangle(0.05, 0.5, 0.02, 0.2, 0.1)), MediationType::none);
}

// Without the direct path the model fixes the direct effect at 0: no type. With the individual sign
// change no interval crosses 0: no type either.
TEST(Mediation, NoTypeWithoutADirectPathOrWithTheIndividualSignChange) {
    Triangle t = triangle(0.5, 0.5, 0.3, 0.05, 0.05);
    t.result.paths.pop_back();
    t.result.path_coefficients(0, 2) = 0;
    t.boot.parameters.pop_back();
    t.boot.summaries.pop_back();
    t.boot.draws.conservativeResize(Eigen::NoChange, 2);
    const MediationResult without = specific_indirect_effects(t.result, &t.boot);
    ASSERT_EQ(without.effects.size(), 1u);
    EXPECT_FALSE(without.effects[0].has_direct_path);
    EXPECT_FALSE(without.effects[0].type);
    EXPECT_TRUE(without.effects[0].bootstrap);
    Triangle u = triangle(0.5, 0.5, 0.3, 0.05, 0.05);
    u.boot.options.sign_change = SignChange::individual;
    EXPECT_FALSE(specific_indirect_effects(u.result, &u.boot).effects.at(0).type);
    // One resample is no bootstrap.
    Triangle v = triangle(0.5, 0.5, 0.3, 0.05, 0.05);
    v.boot.succeeded = 1;
    EXPECT_FALSE(specific_indirect_effects(v.result, &v.boot).effects.at(0).bootstrap);
}

}  // namespace
}  // namespace csipls
