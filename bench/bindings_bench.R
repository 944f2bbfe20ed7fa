# The R package's cost over C++ and over the CLI (bench/README.md, "R and Python").
#   Rscript bench/bindings_bench.R [BUILD_DIR]     (csipls installed, e.g. R_LIBS=build/release/bindings/r-library)
library(csipls)
args <- commandArgs(trailingOnly = TRUE)
repo <- normalizePath(file.path(dirname(sub("--file=", "", grep("--file=", commandArgs(), value = TRUE))), ".."))
build <- if (length(args)) args[1] else file.path(repo, "build", "release")
mobi_path <- file.path(dirname(repo), "shared", "data", "mobi.csv")
model_path <- file.path(repo, "models", "ecsi.model")
model <- paste(readLines(model_path), collapse = "\n")
data <- utils::read.csv(mobi_path)
data[] <- lapply(data, as.numeric)

# Sys.time() has microsecond resolution on Linux: each call is timed, as in the Python script.
median_seconds <- function(call, repeats) {
  times <- vapply(seq_len(repeats), function(i) { start <- Sys.time(); call(); as.numeric(Sys.time() - start, units = "secs") }, 0)
  stats::median(times)
}
for (i in 1:50) estimate(model, data, progress = FALSE)
one <- median_seconds(function() estimate(model, data, progress = FALSE), 2000)
cat(sprintf("R: ECSI on mobi, estimate(): median %.0f us\n", one * 1e6))
cli <- file.path(build, "csipls")
cli_args <- c("estimate", "--model", model_path, "--data", mobi_path, "--bootstrap", "5000", "--threads", "2", "--out", "/dev/null")
# Interleaved, so that both see the same load.
boot <- whole <- numeric()
for (i in 1:11) {
  boot <- c(boot, median_seconds(function() estimate(model, data, bootstrap = 5000, threads = 2, progress = FALSE), 1))
  whole <- c(whole, median_seconds(function() system2(cli, cli_args), 1))
}
cat(sprintf("R: 5000 resamples, 2 threads: median %.3f s\n", stats::median(boot)))
cat(sprintf("cli: 5000 resamples, 2 threads: median %.3f s (whole process)\n", stats::median(whole)))
