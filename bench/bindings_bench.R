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

median_seconds <- function(call, repeats) {
  times <- vapply(seq_len(repeats), function(i) { start <- proc.time()[["elapsed"]]; call(); proc.time()[["elapsed"]] - start }, 0)
  stats::median(times)
}
# proc.time() has a 1 ms resolution: time batches of 200 calls for the single estimate.
for (i in 1:50) estimate(model, data, progress = FALSE)
batch <- median_seconds(function() for (i in 1:200) estimate(model, data, progress = FALSE), 10)
cat(sprintf("R: ECSI on mobi, estimate(): median %.0f us\n", batch / 200 * 1e6))
boot <- median_seconds(function() estimate(model, data, bootstrap = 5000, threads = 2, progress = FALSE), 5)
cat(sprintf("R: 5000 resamples, 2 threads: median %.3f s\n", boot))
