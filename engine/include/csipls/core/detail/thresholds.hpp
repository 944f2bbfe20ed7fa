#pragma once
// The usual bars of the assessment, the one table: the text summary (io/text_summary.cpp) and the
// report (report/report_html.cpp) mark values against these, and print them in their notes.
namespace csipls::thresholds {

// Hair et al. (2022): a reflective loading below 0.708 explains less than half the indicator's variance.
inline constexpr double loading = 0.708;
// Hair et al. (2022): Cronbach's α, ρ_A and ρ_C at least 0.7; AVE at least 0.5.
inline constexpr double reliability = 0.7;
inline constexpr double ave = 0.5;
// Henseler et al. (2015): HTMT above 0.85 for conceptually distinct constructs, above 0.90 for similar ones.
inline constexpr double htmt_distinct = 0.85;
inline constexpr double htmt_similar = 0.90;
// Hair et al. (2019): VIF from 3 a possible problem, at 5 and above critical.
inline constexpr double vif_possible = 3.0;
inline constexpr double vif_critical = 5.0;
// Hu & Bentler (1999), Henseler et al. (2016): SRMR below 0.08.
inline constexpr double srmr = 0.08;
// Cohen (1988): f² of 0.02, 0.15 and 0.35 are small, medium and large effects.
inline constexpr double f2_small = 0.02;
inline constexpr double f2_medium = 0.15;
inline constexpr double f2_large = 0.35;

}  // namespace csipls::thresholds
