// The Python module's native part (csipls._native): the library's run_study, simulate, summary,
// JSON and report, with the GIL released while the engine works. The Python package (csipls/)
// turns data frames into columns and the JSON result into data frames.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
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

namespace py = pybind11;

namespace {

// A numeric column handed over by Python: a 1-D float64 array (any stride), read in place.
csipls::NumericColumnView column_view(const py::array& array, const std::string& name) {
    if (array.ndim() != 1 || !array.dtype().is(py::dtype::of<double>()) || array.strides(0) % static_cast<py::ssize_t>(sizeof(double)) != 0)
        throw csipls::InputError("column '" + name + "' is not a 1-D float64 array");
    return {static_cast<const double*>(array.data()), array.strides(0) / static_cast<py::ssize_t>(sizeof(double))};
}

// The study with the GIL released; every 100 ms of a long stage the calling thread takes the GIL,
// checks for Ctrl-C and calls `progress(stage, done, total)` (and `progress(None, 0, 0)` at the
// end). KeyboardInterrupt or an exception from `progress` cancels the run and is raised.
csipls::StudyResult run_watched(const csipls::Model& model, csipls::Dataset data, const csipls::StudyOptions& options,
                                const py::object& progress) {
    py::gil_scoped_release unlocked;
    return csipls::run_study_watched(model, std::move(data), options, [&](const std::string& stage, long done, long total) {
        py::gil_scoped_acquire locked;
        if (PyErr_CheckSignals() != 0) throw py::error_already_set();
        if (progress.is_none()) return;
        if (stage.empty())
            progress(py::none(), 0, 0);
        else
            progress(stage, done, total);
    });
}

// A finished study: the library's result, rendered on demand.
struct Study {
    csipls::StudyResult result;
};

}  // namespace

PYBIND11_MODULE(_native, m) {
    m.doc() = "csipls's native part; use the csipls package";
    static py::exception<csipls::Error> error(m, "Error", PyExc_ValueError);
    py::register_exception_translator([](std::exception_ptr failure) {
        try {
            if (failure) std::rethrow_exception(failure);
        } catch (const csipls::Error& e) {
            PyErr_SetString(error.ptr(), e.what());
        }
    });

    m.def("option_fields", [] {
        py::list out;
        for (const auto& field : csipls::study_option_fields())
            out.append(py::make_tuple(field.name, field.flag, field.value_name ? py::str(field.value_name) : py::object(py::none()),
                                      field.help));
        return out;
    }, "The table of StudyOptions fields: (name, flag, value name or None for a switch, help).");
    m.def("find_option", [](const std::string& keyword) -> py::object {
        const auto* field = csipls::find_study_option_keyword(keyword);
        return field ? py::object(py::str(field->name)) : py::object(py::none());
    });
    m.def("default_options", [] { return csipls::study_options_to_json(csipls::StudyOptions{}).dump(); });

    py::class_<Study, std::shared_ptr<Study>>(m, "Study")
        .def("json", [](const Study& s) { return s.result.to_json().dump(2); })
        .def("summary", [](const Study& s) { return s.result.summary(); })
        .def("converged", [](const Study& s) { return s.result.converged(); })
        .def("warnings", [](const Study& s) { return s.result.warnings; })
        .def("scores", [](const Study& s) {
            const Eigen::MatrixXd scores = s.result.scores();
            py::array_t<double, py::array::f_style> out({scores.rows(), scores.cols()});
            std::copy(scores.data(), scores.data() + scores.size(), out.mutable_data());
            return py::make_tuple(out, s.result.estimates.constructs);
        });

    m.def("estimate",
          [](const std::string& model_text, const std::map<std::string, std::string>& option_texts, long rows,
             const std::string& source_name, const py::function& column, const py::object& progress) {
              std::vector<std::pair<const csipls::StudyOptionField*, std::string>> texts;
              for (const auto& [name, text] : option_texts) texts.emplace_back(csipls::find_study_option_field(name), text);
              const csipls::Model model = csipls::load_model_text_or_file(model_text);
              const csipls::StudyOptions options = csipls::study_options_from_texts(texts);
              std::vector<py::object> kept;  // the arrays stay alive while they are copied
              csipls::InMemoryColumns columns;
              columns.source_name = source_name;
              columns.rows = rows;
              columns.numeric = [&](const std::string& name) {
                  kept.push_back(column(name, "numeric"));
                  return column_view(kept.back().cast<py::array>(), name);
              };
              columns.group = [&](const std::string& name) {
                  const auto parts = column(name, "group").cast<py::tuple>();
                  csipls::GroupColumnView view;
                  view.code_of_row = parts[0].cast<std::vector<int>>();
                  view.labels = parts[1].cast<std::vector<std::string>>();
                  return view;
              };
              csipls::Dataset data = csipls::dataset_from_columns(model, options, columns);
              kept.clear();
              auto study = std::make_shared<Study>();
              study->result = run_watched(model, std::move(data), options, progress);
              return study;
          },
          py::arg("model"), py::arg("options"), py::arg("rows"), py::arg("source_name"), py::arg("column"),
          py::arg("progress"));

    // Python's simulate() sets the fields by name (csipls/__init__.py).
    py::class_<csipls::SimulationOptions>(m, "SimulationOptions")
        .def(py::init<>())
        .def_readwrite("n", &csipls::SimulationOptions::n)
        .def_readwrite("seed", &csipls::SimulationOptions::seed)
        .def_readwrite("discrete", &csipls::SimulationOptions::discrete)
        .def_readwrite("scale_min", &csipls::SimulationOptions::scale_min)
        .def_readwrite("scale_max", &csipls::SimulationOptions::scale_max)
        .def_readwrite("centre", &csipls::SimulationOptions::centre)
        .def_readwrite("default_loading", &csipls::SimulationOptions::default_loading)
        .def_readwrite("default_path", &csipls::SimulationOptions::default_path)
        .def_readwrite("groups", &csipls::SimulationOptions::groups)
        .def_readwrite("group_spread", &csipls::SimulationOptions::group_spread);

    m.def("simulate",
          [](const std::string& model_text, const csipls::SimulationOptions& options) {
              const csipls::Model model = csipls::load_model_text_or_file(model_text);
              options.validate();
              csipls::Dataset data;
              {
                  py::gil_scoped_release unlocked;
                  data = csipls::simulate(model, options);
              }
              py::array_t<double> values({static_cast<py::ssize_t>(data.rows), static_cast<py::ssize_t>(data.cols())});
              std::copy(data.values.begin(), data.values.begin() + data.rows * data.cols(), values.mutable_data());
              std::vector<std::string> group_labels;
              for (int code : data.group_of_row) group_labels.push_back(data.group_names[static_cast<std::size_t>(code)]);
              return py::make_tuple(values, data.columns, group_labels);
          });

    m.def("write_report", [](const Study& study, const std::string& path) {
        py::gil_scoped_release unlocked;
        const std::string html = csipls::render_html_report(study.result.to_json(), nullptr);
        // Replaced whole or not at all, as the CLI writes its outputs.
        csipls::write_file_atomically(path, [&](std::ostream& out) { out << html; });
    });
}
