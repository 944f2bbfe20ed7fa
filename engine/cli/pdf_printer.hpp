#pragma once
// `report --pdf`: the HTML report printed to PDF by headless Chromium, which lays out the page
// exactly as a browser shows it (SVG, CJK fonts, print CSS) without a typesetter of our own.
#include <string>

namespace csipls::cli {

// The browser: $CSIPLS_CHROMIUM when set (a path, or a name looked up on PATH), else the first of
// chromium, chromium-browser, google-chrome, google-chrome-stable on PATH. Throws Error naming what
// was looked for when there is none, and UsageError for a malformed $CSIPLS_PDF_TIMEOUT, so a run
// fails before it estimates anything.
std::string find_chromium();

// The PDF's bytes. Chromium runs without a shell, in a process group of its own, with a profile and
// files in a temporary directory that is removed afterwards, and is killed after $CSIPLS_PDF_TIMEOUT
// seconds (default 120). Throws Error when it fails, times out or writes no PDF; Cancelled on
// SIGINT, SIGTERM or SIGHUP, after killing it.
std::string print_to_pdf(const std::string& html, const std::string& browser);

}  // namespace csipls::cli
