// The conformance report as Markdown: a summary line, the engine x profile x
// property matrix, the failing cases by cell, and each failing run's details.
#pragma once

#include <string>
#include <vector>

#include "report_matrix.h"

namespace codecache::conformance {

// `generated_at` is printed as given (the caller's clock); rows are `engines`
// (in the order run) x every profile.
std::string render_report(const ReportMatrix& matrix, const std::vector<EngineRuns>& results,
                          const std::string& generated_at);

}  // namespace codecache::conformance
