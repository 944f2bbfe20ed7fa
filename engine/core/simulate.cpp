#include "csipls/core/simulate.hpp"

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <algorithm>
#include <cmath>

#include "csipls/core/error.hpp"

namespace csipls {

void SimulationOptions::validate() const {
    if (n < 1 || n > 100'000'000) throw UsageError("--n must be between 1 and 100000000, got " + std::to_string(n));
    if (discrete && scale_max <= scale_min)
        throw UsageError("--scale MIN:MAX needs MIN < MAX, got " + std::to_string(scale_min) + ":" +
                         std::to_string(scale_max));
    if (!(centre >= 0.0 && centre <= 1.0)) throw UsageError("--centre must be between 0 and 1");
    if (!(std::abs(default_loading) > 0.0 && std::abs(default_loading) < 1.0))
        throw UsageError("the default loading must be strictly between -1 and 1 and not 0");
    if (!std::isfinite(default_path)) throw UsageError("the default path value must be finite");
    if (groups < 0 || groups > 100'000) throw UsageError("--groups must be between 0 and 100000");
    if (!(group_spread >= 0.0 && group_spread <= 0.5)) throw UsageError("--group-spread must be between 0 and 0.5");
    if (groups > 0 && static_cast<double>(n) * groups > 1e9) throw UsageError("--n times --groups is too large");
}

PopulationModel population_model(const Model& model, const SimulationOptions& options) {
    options.validate();
    validate_model(model);
    const auto constructs = static_cast<Eigen::Index>(model.constructs.size());
    PopulationModel population;

    for (const auto& construct : model.constructs)
        if (construct.mode == MeasurementMode::formative)
            throw ModelError(model.source + ":" + std::to_string(construct.line) + ": construct '" + construct.name +
                             "' is formative; the simulator draws common-factor (=~) blocks only");

    if (!higher_order_constructs(model).empty())
        throw ModelError(model.source + ": the simulator draws first-order constructs only (the model has a higher-order construct)");
    population.path_coefficients = Eigen::MatrixXd::Zero(constructs, constructs);
    for (const auto& path : model.paths) {
        const int from = model.construct_index(path.from), to = model.construct_index(path.to);
        if (from >= 0) {
            population.path_coefficients(from, to) = path.population_value.value_or(options.default_path);
            continue;
        }
        const auto terms = interaction_terms(model);
        const auto term = std::find_if(terms.begin(), terms.end(), [&](const InteractionTerm& t) { return t.name == path.from; });
        population.interactions.push_back({model.construct_index(term->first), model.construct_index(term->second), to,
                                           path.population_value.value_or(options.default_path)});
    }
    // A product of two jointly normal constructs is uncorrelated with every normal construct; its
    // variances and covariances follow from theirs (Isserlis): the algebra below needs the two to be
    // normal, which exogenous constructs are.
    for (const auto& interaction : population.interactions)
        for (const int part : {interaction.first, interaction.second})
            if (population.path_coefficients.col(part).cwiseAbs().sum() > 0.0)
                throw ModelError(model.source + ": the simulator draws interaction terms of exogenous constructs only, and '" +
                                 model.constructs[static_cast<std::size_t>(part)].name + "' has predictors");

    // Construct correlations in causal order: exogenous constructs are independent with unit
    // variance; each dependent gets the variance its predictors explain plus a disturbance that
    // brings it to one, and its covariances with everything before it follow from its equation.
    // With interaction terms each construct is its normal part L plus P·(the products): phi = cov(L) +
    // P C P', C the products' covariances, and the disturbance brings the whole variance to one.
    Eigen::MatrixXd& phi = population.construct_correlations;
    phi = Eigen::MatrixXd::Identity(constructs, constructs);
    const auto& beta = population.path_coefficients;
    const auto products = static_cast<Eigen::Index>(population.interactions.size());
    Eigen::MatrixXd loads = Eigen::MatrixXd::Zero(constructs, products);  // P
    Eigen::MatrixXd product_covariance(products, products);                 // C, from the exogenous parts
    for (Eigen::Index t = 0; t < products; ++t)
        for (Eigen::Index u = 0; u < products; ++u) {
            const auto& a = population.interactions[static_cast<std::size_t>(t)];
            const auto& b = population.interactions[static_cast<std::size_t>(u)];
            product_covariance(t, u) = phi(a.first, b.first) * phi(a.second, b.second) + phi(a.first, b.second) * phi(a.second, b.first);
        }
    Eigen::MatrixXd normal_part = phi;  // cov(L)
    population.disturbance_variances.resize(constructs);
    std::vector<int> done;
    for (int j : topological_order(model)) {
        for (Eigen::Index t = 0; t < products; ++t) {
            loads(j, t) = population.interactions[static_cast<std::size_t>(t)].to == j ? population.interactions[static_cast<std::size_t>(t)].value : 0.0;
            for (int a = 0; a < constructs; ++a) loads(j, t) += beta(a, j) * loads(a, t);
        }
        double explained = 0.0;
        for (int a = 0; a < constructs; ++a)
            for (int b = 0; b < constructs; ++b) explained += beta(a, j) * beta(b, j) * normal_part(a, b);
        const double from_products = loads.row(j) * product_covariance * loads.row(j).transpose();
        if ((beta.col(j).cwiseAbs().sum() > 0.0 || from_products > 0.0) && !(explained + from_products < 1.0))
            throw ModelError(model.source + ": the population paths into '" + model.constructs[j].name +
                             "' explain " + number_text(explained + from_products) + " of its variance; it must be below 1");
        const bool dependent = beta.col(j).cwiseAbs().sum() > 0.0 || from_products > 0.0;
        if (dependent) normal_part(j, j) = 1.0 - from_products;
        population.disturbance_variances[j] = dependent ? 1.0 - explained - from_products : 1.0;
        for (int m : done) {
            double covariance = 0.0;
            for (int a = 0; a < constructs; ++a) covariance += beta(a, j) * normal_part(a, m);
            normal_part(j, m) = normal_part(m, j) = covariance;
        }
        done.push_back(j);
    }
    phi = normal_part + loads * product_covariance * loads.transpose();

    const auto p = static_cast<Eigen::Index>(model.indicator_count());
    population.loadings.resize(p);
    std::vector<int> block(static_cast<std::size_t>(p));
    Eigen::Index k = 0;
    for (std::size_t j = 0; j < model.constructs.size(); ++j) {
        const auto& construct = model.constructs[j];
        for (std::size_t i = 0; i < construct.indicators.size(); ++i, ++k) {
            const double loading = i < construct.population_loadings.size() && construct.population_loadings[i]
                                       ? *construct.population_loadings[i]
                                       : options.default_loading;
            if (!(std::abs(loading) <= 1.0))
                throw ModelError(model.source + ":" + std::to_string(construct.line) + ": population loading " +
                                 number_text(loading) + " of '" + construct.indicators[i] +
                                 "' is outside [-1, 1]");
            population.loadings[k] = loading;
            block[k] = static_cast<int>(j);
        }
    }
    population.indicator_correlations.resize(p, p);
    for (Eigen::Index a = 0; a < p; ++a)
        for (Eigen::Index b = 0; b < p; ++b)
            population.indicator_correlations(a, b) =
                a == b ? 1.0 : population.loadings[a] * population.loadings[b] * phi(block[a], block[b]);
    return population;
}

namespace {

// "C001" … with enough digits for every group, so that labels sort the same as text and as numbers.
std::string fmt_group_label(int g, int groups) {
    const std::string number = std::to_string(g + 1);
    const std::size_t digits = std::max<std::size_t>(3, std::to_string(groups).size());
    return "C" + std::string(digits - number.size(), '0') + number;
}

}  // namespace

Dataset simulate(const Model& model, const SimulationOptions& options) {
    if (options.groups > 0) {
        // Group g is an ordinary sample with its own seed and centre, appended in group order.
        options.validate();
        boost::random::mt19937_64 centres(options.seed);
        boost::random::uniform_real_distribution<double> shift(-options.group_spread, options.group_spread);
        Dataset all;
        for (int g = 0; g < options.groups; ++g) {
            SimulationOptions one = options;
            one.groups = 0;
            one.seed = options.seed + 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(g + 1);
            one.centre = std::clamp(options.centre + shift(centres), 0.0, 1.0);
            Dataset part = simulate(model, one);
            if (g == 0) {
                all.source = part.source;
                all.columns = part.columns;
                all.values.reserve(part.values.size() * static_cast<std::size_t>(options.groups));
            }
            all.values.insert(all.values.end(), part.values.begin(), part.values.end());
            all.rows += part.rows;
            all.group_names.push_back(fmt_group_label(g, options.groups));
            all.group_of_row.insert(all.group_of_row.end(), static_cast<std::size_t>(part.rows), g);
        }
        return all;
    }
    const PopulationModel population = population_model(model, options);
    const auto constructs = static_cast<Eigen::Index>(model.constructs.size());
    const auto order = topological_order(model);
    const auto& beta = population.path_coefficients;

    Eigen::VectorXd disturbance_sd(constructs);
    for (Eigen::Index j = 0; j < constructs; ++j) {
        // Without products, 1 − β'Φβ in this order of summation, which earlier data were drawn with.
        const double variance = population.interactions.empty()
                                    ? 1.0 - beta.col(j).dot(population.construct_correlations * beta.col(j))
                                    : population.disturbance_variances[j];
        disturbance_sd[j] = std::sqrt(std::max(0.0, variance));
    }
    const Eigen::VectorXd error_sd = (1.0 - population.loadings.array().square()).max(0.0).sqrt().matrix();
    std::vector<int> block;
    for (std::size_t j = 0; j < model.constructs.size(); ++j)
        block.insert(block.end(), model.constructs[j].indicators.size(), static_cast<int>(j));

    Dataset data;
    data.source.path = "simulated from " + model.source;
    data.columns = model.all_indicators();
    data.rows = options.n;
    const Eigen::Index p = data.cols();
    data.values.resize(static_cast<std::size_t>(options.n * p));
    auto x = data.matrix();

    // One stream, drawn in a fixed order: Boost's distributions give the same numbers on every
    // platform and standard library, so a seed names the same data everywhere.
    boost::random::mt19937_64 engine(options.seed);
    boost::random::normal_distribution<double> normal(0.0, 1.0);
    const double low = options.scale_min, high = options.scale_max;
    const double centre = low + options.centre * (high - low);
    const double spread = (high - low) / 5.0;
    Eigen::VectorXd eta(constructs);
    for (Eigen::Index r = 0; r < options.n; ++r) {
        for (int j : order) {
            double value = disturbance_sd[j] * normal(engine);
            for (Eigen::Index a = 0; a < constructs; ++a)
                if (beta(a, j) != 0.0) value += beta(a, j) * eta[a];
            for (const auto& t : population.interactions)
                if (t.to == j) value += t.value * eta[t.first] * eta[t.second];
            eta[j] = value;
        }
        for (Eigen::Index k = 0; k < p; ++k) {
            const double latent = population.loadings[k] * eta[block[k]] + error_sd[k] * normal(engine);
            x(r, k) = options.discrete ? std::clamp(std::round(centre + spread * latent), low, high) : latent;
        }
    }
    return data;
}

Dataset simulate_mixture(const std::vector<Model>& populations, const std::vector<double>& shares, const SimulationOptions& options) {
    options.validate();
    if (populations.empty() || populations.size() != shares.size())
        throw UsageError("a mixture needs one share per population, got " + std::to_string(populations.size()) + " populations and " +
                         std::to_string(shares.size()) + " shares");
    double total = 0;
    for (const double share : shares) {
        if (!(share > 0)) throw UsageError("the shares of a mixture must be positive");
        total += share;
    }
    if (std::abs(total - 1.0) > 1e-9) throw UsageError("the shares of a mixture must sum to 1, got " + std::to_string(total));
    Dataset all;
    Eigen::Index drawn = 0;
    for (std::size_t k = 0; k < populations.size(); ++k) {
        if (populations[k].all_indicators() != populations.front().all_indicators())
            throw UsageError("the populations of a mixture must have the same indicators (" + populations[k].source + " differs from " +
                             populations.front().source + ")");
        SimulationOptions one = options;
        one.groups = 0;
        one.n = k + 1 == populations.size() ? options.n - drawn : static_cast<Eigen::Index>(std::llround(shares[k] * static_cast<double>(options.n)));
        one.seed = options.seed + 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(k + 1);
        if (one.n < 1) throw UsageError("population " + std::to_string(k + 1) + " of the mixture gets no respondent");
        drawn += one.n;
        Dataset part = simulate(populations[k], one);
        if (k == 0) {
            all.source = part.source;
            all.columns = part.columns;
        }
        all.values.insert(all.values.end(), part.values.begin(), part.values.end());
        all.rows += part.rows;
        all.group_names.push_back("S" + std::to_string(k + 1));
        all.group_of_row.insert(all.group_of_row.end(), static_cast<std::size_t>(part.rows), static_cast<int>(k));
    }
    return all;
}

}  // namespace csipls
