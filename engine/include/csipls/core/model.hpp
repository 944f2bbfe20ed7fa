#pragma once
// The PLS path model: measurement blocks (constructs and their indicators) and structural paths.
// Population values (lavaan's fixed-value syntax, `Y ~ 0.4*X`) ride along for the simulator; the
// estimator ignores them.
#include <optional>
#include <string>
#include <vector>

namespace csipls {

enum class MeasurementMode {
    reflective,  // `=~`, estimated in mode A
    formative,   // `<~`, estimated in mode B
};

struct Construct {
    std::string name;
    MeasurementMode mode = MeasurementMode::reflective;
    std::vector<std::string> indicators;
    // One entry per indicator: the population loading given in the model file, if any.
    std::vector<std::optional<double>> population_loadings;
    int line = 0;  // line of its first definition, for error messages (0 when built in code)
};

struct StructuralPath {
    std::string from;  // predictor
    std::string to;    // dependent
    std::optional<double> population_value;
    int line = 0;  // line where the predictor is named (a statement may span lines); 0 when built in code
};

// `scale MIN:MAX [names]`: the answer scale of the named indicators or constructs' blocks (all
// indicators when no names are given); later statements override earlier ones.
struct ScaleStatement {
    double min = 1;
    double max = 10;
    std::vector<std::string> names;
    int line = 0;
};

// `reverse names`: negatively worded items, recoded as MIN + MAX − answer on their scale.
struct ReverseStatement {
    std::vector<std::string> items;
    int line = 0;
};

// `CUSA:SC` as a predictor in a structural path: the interaction (product) of two constructs, in
// lavaan's syntax. It is no construct of the model: the two-stage estimation (two_stage.hpp) makes it one.
struct InteractionTerm {
    std::string name;    // "CUSA:SC"
    std::string first;   // the focal predictor, "CUSA"
    std::string second;  // the moderator, "SC"
    int line = 0;
};

// A construct whose indicators are constructs (`Quality2 =~ Reliability + Responsiveness`): a
// higher-order construct measured by its lower-order constructs, each with items of its own.
struct HigherOrderConstruct {
    int construct = -1;            // its index in Model::constructs
    std::vector<int> lower_order;  // indices of its lower-order constructs, in block order
};

// `layout A B | C | D E`: where the path diagram draws the constructs, column by column from left
// to right (columns separated by `|`), each column's constructs from top to bottom. Constructs
// not named are placed by the layout. No effect on estimation.
struct LayoutStatement {
    std::vector<std::vector<std::string>> columns;
    int line = 0;
};

struct Model {
    std::string source;  // file the model came from, for messages and the result's provenance
    std::string source_xxh64;  // hash of the model text, for the result's provenance; empty if unknown
    std::vector<Construct> constructs;
    std::vector<StructuralPath> paths;
    std::vector<ScaleStatement> scales;
    std::vector<ReverseStatement> reversed;
    std::optional<LayoutStatement> layout;

    // Index of the construct called `name`, or -1.
    int construct_index(const std::string& name) const;
    std::vector<std::string> all_indicators() const;  // in block order
    // The indicators that are data columns, in block order: all but the lower-order constructs
    // that measure a higher-order construct.
    std::vector<std::string> items() const;
    std::size_t indicator_count() const;
    // Where a statement of the model is, as errors name it: "file:line" ("model" without a file; no
    // line for 0).
    std::string location(int line) const;
};

// The interaction terms of a model: every path predictor named `A:B`, in path order, each once.
std::vector<InteractionTerm> interaction_terms(const Model& model);
// The constructs measured by constructs, in model order.
std::vector<HigherOrderConstruct> higher_order_constructs(const Model& model);
// True when the model has interaction terms or higher-order constructs, which PLS estimates in two
// stages (two_stage.hpp) rather than in one.
bool needs_two_stages(const Model& model);
// Throws ModelError when `model` needs two stages: for the procedures that take one stage only.
void require_one_stage(const Model& model, const std::string& procedure);

// Refuses a model that cannot be estimated: no constructs, a construct without indicators (or with
// population loadings that do not match its indicators one to one), an
// indicator in two blocks, a path naming an undefined construct, a self-loop or duplicate path, a
// structural cycle, a construct outside the structural model, an interaction term of an undefined
// construct or of a construct with itself (or on the left of `~`), a higher-order construct mixing
// constructs and items or with fewer than two lower-order constructs, a lower-order construct used
// twice or given structural paths of its own. Throws ModelError naming the culprit and its line.
void validate_model(const Model& model);

// Constructs in an order where every predictor comes before its dependents. Requires an acyclic model.
std::vector<int> topological_order(const Model& model);

}  // namespace csipls
