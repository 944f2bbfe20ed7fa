// Estimates a CSI model on a survey and prints the 0–100 indices.
// Usage: estimate_index MODEL DATA   (e.g. models/ccsi.model data/ccsi_example.csv)
#include <csipls/csipls.hpp>

#include <algorithm>
#include <iostream>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: estimate_index MODEL DATA\n";
        return 2;
    }
    try {
        const csipls::Model model = csipls::load_model(argv[1]);
        csipls::StudyOptions options;
        options.answer_scale = csipls::AnswerScale{1, 10};  // the answers are on 1–10
        options.bootstrap.resamples = 200;
        options.seed = 1;
        csipls::Dataset data = csipls::load_study_data(argv[2], model, options);
        const csipls::StudyResult result = csipls::run_study(model, std::move(data), options);

        // Satisfaction is the construct most paths lead into (in the ACSI, ECSI and CCSI models).
        const auto& constructs = result.model.constructs;
        const auto predictors = [&](const csipls::Construct& construct) {
            return std::ranges::count(model.paths, construct.name, &csipls::StructuralPath::to);
        };
        const auto satisfaction = std::ranges::max_element(constructs, {}, predictors);
        for (const auto& construct : constructs)
            std::cout << construct.name << " index: " << result.index_of(construct.name) << '\n';
        std::cout << "Satisfaction index (" << satisfaction->name << "): " << result.index_of(satisfaction->name) << '\n';
        std::cout << "usable: " << std::boolalpha << result.is_usable() << '\n';
        return 0;
    } catch (const csipls::Error& error) {
        std::cerr << "estimate_index: " << error.what() << '\n';
        return 1;
    }
}
