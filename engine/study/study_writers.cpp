// The JSON result and the readable summary of a study: each section's writer, called in one place.
#include <sstream>

#include "csipls/study/option_table.hpp"
#include "csipls/study/study.hpp"

namespace csipls {

Json StudyResult::to_json() const {
    Json json = result_to_json(estimates, moments, provenance);
    // Every option of the study, by field name, after the estimator's own settings.
    json["settings"]["options"] = study_options_to_json(options);
    add_assessment_to_json(json, estimates, assessment);
    if (indices) json["csi_index"] = csi_index_to_json(estimates, *indices, index_scales);
    if (bootstrap) json["bootstrap"] = bootstrap_to_json(estimates, *bootstrap);
    add_mediation_to_json(json, estimates, mediation, bootstrap ? &*bootstrap : nullptr);
    if (fit_test) json["fit_test"] = fit_test_to_json(*fit_test);
    if (q2) json["prediction"] = prediction_to_json(estimates, *q2, *predicted);
    if (groups) {
        json["groups"] = groups_to_json(estimates, *groups, provenance.csv.group_column);
        // Each estimated group's specific indirect effects, beside its paths.
        for (std::size_t g = 0; g < mediation_by_group.size(); ++g) {
            if (!groups->groups[g].ok()) continue;
            Json part;
            add_mediation_to_json(part, groups->groups[g].result, mediation_by_group[g],
                                  groups->groups[g].bootstrap ? &*groups->groups[g].bootstrap : nullptr);
            json["groups"]["results"][g]["specific_indirect_effects"] = std::move(part["specific_indirect_effects"]);
        }
    }
    if (micom) add_micom_to_json(json, estimates, *groups, *micom);
    if (mga) add_mga_to_json(json, estimates, *groups, *mga, options.mga_options());
    if (index_table) json["index_table"] = index_table_to_json(*index_table);
    if (practice) {
        json["practice_indices"] = practice_indices_to_json(*practice, practice_by_group);
        if (practice->weights_file)
            json["input"]["weights_index"] = {{"path", practice->weights_file->path}, {"xxh64", practice->weights_file->xxh64}};
    }
    if (ipma) json["ipma"] = ipma_to_json(estimates, *ipma);
    if (two_stage) add_two_stage_to_json(json, estimates, *two_stage);
    if (model.layout) json["diagram_layout"] = model.layout->columns;
    if (segmentation) json["segmentation"] = segmentation_to_json(estimates, *segmentation);
    json["warnings"] = warnings;
    return json;
}

void StudyResult::write_summary(std::ostream& out) const {
    csipls::write_summary(out, estimates, provenance, &assessment, bootstrap ? &*bootstrap : nullptr,
                          indices ? &*indices : nullptr, fit_test ? &*fit_test : nullptr, q2 ? &*q2 : nullptr);
    write_mediation_summary(out, estimates, mediation);
    if (two_stage) write_two_stage_summary(out, estimates, *two_stage);
    if (practice) write_practice_summary(out, *practice);
    write_group_practice_summary(out, practice_by_group);
    // One group's table says nothing the summary above does not.
    if (index_table && index_table->rows.size() > 1) write_index_table_summary(out, *index_table);
    if (ipma) write_ipma_summary(out, estimates, *ipma);
    if (micom) write_micom_summary(out, estimates, *groups, *micom);
    if (mga) write_mga_summary(out, estimates, *groups, *mga, options.mga_options());
    if (segmentation) write_segmentation_summary(out, estimates, *segmentation);
}

std::string StudyResult::summary() const {
    std::ostringstream out;
    write_summary(out);
    return out.str();
}

}  // namespace csipls
