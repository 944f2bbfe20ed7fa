// The R package's native part: the library's run_study, simulate, summary, JSON and report. R code
// (R/csipls.R) passes the data.frame and the options; the tables are built from the JSON result.
#include <RcppEigen.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "csipls/core/error.hpp"
#include "csipls/core/simulate.hpp"
#include "csipls/io/file_util.hpp"
#include "csipls/io/model_file.hpp"
#include "csipls/report/report.hpp"
#include "csipls/study/option_table.hpp"
#include "csipls/study/study.hpp"
#include "csipls/study/study_columns.hpp"
#include "csipls/study/study_files.hpp"
#include "csipls/study/study_watch.hpp"

namespace {

using StudyPtr = Rcpp::XPtr<csipls::StudyResult>;

// The engine's errors as R errors with its message (Rcpp turns std::exception into stop()).
#define CSIPLS_R_BEGIN try {
#define CSIPLS_R_END                                       \
    }                                                      \
    catch (const csipls::Error& error) {                   \
        throw Rcpp::exception(error.what(), false);        \
    }

// Keywords of the signature that are not a field's name or flag.
const char* alias_of(const std::string& keyword) {
    if (keyword == "weights") return "data.case_weights";
    if (keyword == "missing") return "missing.treatment";
    if (keyword == "missing_codes" || keyword == "missing.codes") return "data.missing_codes";
    return nullptr;
}

std::string number_text(double value) {
    if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 9.007199254740992e15) {
        char text[32];
        std::snprintf(text, sizeof text, "%.0f", value);
        return text;
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", value);  // reads back as the same double
    return text;
}

// An R value as the option's text (the CLI's).
std::string option_text(const std::string& keyword, const csipls::StudyOptionField& field, SEXP value) {
    const std::string value_name = field.value_name ? field.value_name : "";
    std::vector<std::string> items;
    switch (TYPEOF(value)) {
        case LGLSXP:
            for (R_xlen_t i = 0; i < XLENGTH(value); ++i) items.push_back(LOGICAL(value)[i] ? "true" : "false");
            break;
        case INTSXP:
            if (Rf_isFactor(value)) throw Rcpp::exception(("option '" + keyword + "' takes " + value_name + ", got a factor").c_str(), false);
            for (R_xlen_t i = 0; i < XLENGTH(value); ++i) items.push_back(std::to_string(INTEGER(value)[i]));
            break;
        case REALSXP:
            for (R_xlen_t i = 0; i < XLENGTH(value); ++i) items.push_back(number_text(REAL(value)[i]));
            break;
        case STRSXP:
            for (R_xlen_t i = 0; i < XLENGTH(value); ++i) items.push_back(Rcpp::as<std::string>(STRING_ELT(value, i)));
            break;
        default:
            throw Rcpp::exception(("option '" + keyword + "' (" + field.name + ") takes " +
                                   (value_name.empty() ? std::string("TRUE or FALSE") : value_name) + ", got a " +
                                   Rf_type2char(TYPEOF(value)))
                                      .c_str(),
                                  false);
    }
    const bool pair = value_name.find(':') != std::string::npos && items.size() == 2 && TYPEOF(value) != STRSXP;
    std::string text;
    for (std::size_t i = 0; i < items.size(); ++i) text += (i ? (pair ? ":" : ",") : "") + items[i];
    return text;
}

csipls::StudyOptions options_of(const Rcpp::List& given) {
    std::vector<std::pair<const csipls::StudyOptionField*, std::string>> texts;
    const Rcpp::CharacterVector names = given.size() == 0 ? Rcpp::CharacterVector() : Rcpp::CharacterVector(given.names());
    for (R_xlen_t i = 0; i < given.size(); ++i) {
        const std::string keyword = Rcpp::as<std::string>(names[i]);
        if (Rf_isNull(given[i])) continue;
        const char* alias = alias_of(keyword);
        const auto* field = alias ? csipls::find_study_option_field(alias) : csipls::find_study_option_keyword(keyword);
        if (!field) throw Rcpp::exception(("unknown option '" + keyword + "' (options_table() lists them)").c_str(), false);
        for (const auto& [other, text] : texts)
            if (other == field) throw Rcpp::exception(("option '" + keyword + "' is given twice").c_str(), false);
        texts.emplace_back(field, option_text(keyword, *field, given[i]));
    }
    return csipls::study_options_from_texts(texts);
}

const char* const data_name = "the data frame";

SEXP column_of(const Rcpp::List& frame, const std::string& name) {
    const Rcpp::CharacterVector names = frame.names();
    SEXP found = R_NilValue;
    for (R_xlen_t i = 0; i < names.size(); ++i)
        if (Rcpp::as<std::string>(names[i]) == name) {
            if (found != R_NilValue) throw csipls::InputError(std::string(data_name) + " has more than one column called '" + name + "'");
            found = frame[i];
        }
    if (found == R_NilValue) throw csipls::InputError(std::string(data_name) + " has no column '" + name + "'");
    return found;
}

// Text of a group value: labelled values (haven) by their label, whole numbers without ".0".
std::string group_text(double value) { return number_text(value); }

csipls::GroupColumnView group_view(SEXP column, const std::string& name) {
    csipls::GroupColumnView view;
    const R_xlen_t n = XLENGTH(column);
    if (Rf_isFactor(column)) {
        const Rcpp::CharacterVector levels = Rf_getAttrib(column, R_LevelsSymbol);
        for (R_xlen_t i = 0; i < levels.size(); ++i) view.labels.push_back(Rcpp::as<std::string>(levels[i]));
        for (R_xlen_t r = 0; r < n; ++r) view.code_of_row.push_back(INTEGER(column)[r] == NA_INTEGER ? -1 : INTEGER(column)[r] - 1);
        return view;
    }
    std::map<std::string, int> code;
    auto add = [&](const std::string& text) {
        auto it = code.find(text);
        if (it == code.end()) {
            it = code.emplace(text, static_cast<int>(view.labels.size())).first;
            view.labels.push_back(text);
        }
        view.code_of_row.push_back(it->second);
    };
    if (TYPEOF(column) == STRSXP) {
        for (R_xlen_t r = 0; r < n; ++r) {
            if (STRING_ELT(column, r) == NA_STRING)
                view.code_of_row.push_back(-1);
            else
                add(Rcpp::as<std::string>(STRING_ELT(column, r)));
        }
        return view;
    }
    if (TYPEOF(column) == REALSXP || TYPEOF(column) == INTSXP) {
        // haven's labelled columns: the value's label, as the SPSS reader names value-labelled groups.
        std::map<double, std::string> labelled;
        SEXP labels = Rf_getAttrib(column, Rf_install("labels"));
        if (labels != R_NilValue && (TYPEOF(labels) == REALSXP || TYPEOF(labels) == INTSXP)) {
            const Rcpp::NumericVector values(labels);
            const Rcpp::CharacterVector texts = values.names();
            for (R_xlen_t i = 0; i < values.size(); ++i) labelled[values[i]] = Rcpp::as<std::string>(texts[i]);
        }
        const Rcpp::NumericVector values(column);
        for (R_xlen_t r = 0; r < n; ++r) {
            if (std::isnan(values[r])) {
                view.code_of_row.push_back(-1);
                continue;
            }
            const auto label = labelled.find(values[r]);
            add(label != labelled.end() ? label->second : group_text(values[r]));
        }
        return view;
    }
    throw csipls::InputError(std::string(data_name) + ": the group column '" + name + "' is not text, a factor or numbers");
}

// The study, with R's (main) thread checking Ctrl-C and drawing progress every 100 ms of a long stage.
csipls::StudyResult run_watched(const csipls::Model& model, csipls::Dataset data, const csipls::StudyOptions& options,
                                const Rcpp::Nullable<Rcpp::Function>& progress) {
    return csipls::run_study_watched(model, std::move(data), options, [&](const std::string& stage, long done, long total) {
        Rcpp::checkUserInterrupt();
        if (progress.isNull()) return;
        if (stage.empty())
            Rcpp::Function(progress.get())(R_NilValue, 0.0, 0.0);
        else
            Rcpp::Function(progress.get())(stage, static_cast<double>(done), static_cast<double>(total));
    });
}

}  // namespace

// [[Rcpp::export(.csipls_estimate)]]
SEXP csipls_estimate(std::string model_text, Rcpp::List frame, Rcpp::List options_given, Rcpp::Nullable<Rcpp::Function> progress) {
    CSIPLS_R_BEGIN
    const csipls::Model model = csipls::load_model_text_or_file(model_text);
    const csipls::StudyOptions options = options_of(options_given);
    std::vector<std::vector<double>> converted;  // integer columns as doubles; double columns are read in place
    converted.reserve(64);
    csipls::InMemoryColumns columns;
    columns.source_name = data_name;
    columns.rows = frame.size() == 0 ? 0 : Rf_xlength(frame[0]);
    columns.numeric = [&](const std::string& name) {
        SEXP column = column_of(frame, name);
        if (TYPEOF(column) == REALSXP) return csipls::NumericColumnView{REAL(column), 1};
        if (TYPEOF(column) == INTSXP && !Rf_isFactor(column)) {
            std::vector<double> values(static_cast<std::size_t>(XLENGTH(column)));
            for (std::size_t r = 0; r < values.size(); ++r)
                values[r] = INTEGER(column)[r] == NA_INTEGER ? std::nan("") : INTEGER(column)[r];
            if (converted.size() == converted.capacity()) throw csipls::InputError("too many columns");
            converted.push_back(std::move(values));
            return csipls::NumericColumnView{converted.back().data(), 1};
        }
        const std::string type = Rf_isFactor(column) ? "factor" : Rf_type2char(TYPEOF(column));
        throw csipls::InputError(std::string(data_name) + ": column '" + name + "' is not numeric (it is " + type +
                                 "); indicators, case weights and gap columns take numbers (NA for a missing answer)");
    };
    columns.group = [&](const std::string& name) { return group_view(column_of(frame, name), name); };
    csipls::Dataset data = csipls::dataset_from_columns(model, options, columns);
    auto* result = new csipls::StudyResult(run_watched(model, std::move(data), options, progress));
    return StudyPtr(result, true);
    CSIPLS_R_END
}

// [[Rcpp::export(.csipls_json)]]
std::string csipls_json(SEXP study) { return StudyPtr(study)->to_json().dump(2); }

// [[Rcpp::export(.csipls_summary)]]
std::string csipls_summary(SEXP study) { return StudyPtr(study)->summary(); }

// [[Rcpp::export(.csipls_scores)]]
Rcpp::NumericMatrix csipls_scores(SEXP study) {
    const StudyPtr result(study);
    Rcpp::NumericMatrix out = Rcpp::wrap(result->scores());
    Rcpp::colnames(out) = Rcpp::wrap(result->estimates.constructs);
    return out;
}

// [[Rcpp::export(.csipls_report)]]
void csipls_report(SEXP study, std::string path) {
    CSIPLS_R_BEGIN
    const std::string html = csipls::render_html_report(StudyPtr(study)->to_json(), nullptr);
    csipls::write_file_atomically(path, [&](std::ostream& out) { out << html; });
    CSIPLS_R_END
}

// [[Rcpp::export(.csipls_options)]]
Rcpp::DataFrame csipls_options() {
    std::vector<std::string> names, flags, values, helps;
    for (const auto& field : csipls::study_option_fields()) {
        std::string name = field.name;
        std::replace(name.begin(), name.end(), '.', '_');
        names.push_back(name);
        flags.push_back(std::string("--") + field.flag);
        values.push_back(field.value_name ? field.value_name : "TRUE/FALSE");
        helps.push_back(field.help);
    }
    return Rcpp::DataFrame::create(Rcpp::Named("keyword") = names, Rcpp::Named("flag") = flags, Rcpp::Named("value") = values,
                                   Rcpp::Named("help") = helps, Rcpp::Named("stringsAsFactors") = false);
}

// [[Rcpp::export(.csipls_simulate)]]
Rcpp::List csipls_simulate(std::string model_text, double n, double seed, bool discrete, int scale_min, int scale_max,
                           double centre, double default_loading, double default_path, int groups, double group_spread) {
    CSIPLS_R_BEGIN
    const csipls::Model model = csipls::load_model_text_or_file(model_text);
    csipls::SimulationOptions options;
    options.n = static_cast<Eigen::Index>(n);
    options.seed = static_cast<std::uint64_t>(seed);
    options.discrete = discrete;
    options.scale_min = scale_min;
    options.scale_max = scale_max;
    options.centre = centre;
    options.default_loading = default_loading;
    options.default_path = default_path;
    options.groups = groups;
    options.group_spread = group_spread;
    options.validate();
    const csipls::Dataset data = csipls::simulate(model, options);
    Rcpp::List out;
    if (!data.group_names.empty()) {
        Rcpp::CharacterVector company(data.rows);
        for (Eigen::Index r = 0; r < data.rows; ++r) company[r] = data.group_names[static_cast<std::size_t>(data.group_of_row[static_cast<std::size_t>(r)])];
        out["company"] = company;
    }
    for (Eigen::Index k = 0; k < data.cols(); ++k) out[data.columns[static_cast<std::size_t>(k)]] = Rcpp::NumericVector(Rcpp::wrap(Eigen::VectorXd(data.matrix().col(k))));
    return out;
    CSIPLS_R_END
}
