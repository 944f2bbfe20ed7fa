# The R package against the reference numbers and against the CLI (same JSON, bit for bit).
# CSIPLS_SOURCE_DIR: the repository (for models/ and ../shared); CSIPLS_CLI: the csipls program.
repo <- Sys.getenv("CSIPLS_SOURCE_DIR", unset = normalizePath(file.path(getwd(), "..", "..", "..", ".."), mustWork = FALSE))
shared <- file.path(dirname(repo), "shared")
mobi_path <- file.path(shared, "data", "mobi.csv")
model_path <- file.path(repo, "models", "ecsi.model")
cli <- Sys.getenv("CSIPLS_CLI", unset = file.path(repo, "build", "release", "csipls"))

skip_without_mobi <- function() if (!file.exists(mobi_path)) skip(paste(mobi_path, "absent (the shared data set)"))
skip_without_cli <- function() if (!file.exists(cli)) skip(paste("no csipls CLI at", cli, "(set CSIPLS_CLI)"))

mobi <- if (file.exists(mobi_path)) utils::read.csv(mobi_path) else NULL
ecsi <- if (file.exists(model_path)) paste(readLines(model_path), collapse = "\n") else NULL

run_cli <- function(...) {
  out <- tempfile(fileext = ".json")
  status <- system2(cli, c("estimate", ..., "--out", out), stdout = FALSE, stderr = FALSE)
  stopifnot(status == 0)
  out
}

# The parsed JSON without what names the input (file paths and hashes), which differs by design.
without_input <- function(json_text) {
  d <- jsonlite::fromJSON(json_text, simplifyVector = FALSE)
  d$input <- NULL
  d
}

test_that("ECSI on mobi matches the reference to 1e-10", {
  skip_without_mobi()
  reference <- jsonlite::fromJSON(file.path(shared, "reference", "ecsi_mobi_path.json"))
  result <- estimate(ecsi, mobi, scheme = "path", tolerance = 1e-10)
  paths <- result$paths
  expect_equal(names(paths), c("from", "to", "estimate"))
  expect_equal(nrow(paths), 12)
  ref <- reference$paths
  mine <- paths$estimate[match(paste(ref$from, ref$to), paste(paths$from, paths$to))]
  expect_lt(max(abs(mine - ref$estimate)), 1e-10)
  for (part in c("outer_weights", "loadings")) {
    table <- result[[part]]
    for (construct in names(reference[[part]])) {
      block <- reference[[part]][[construct]]
      got <- table$estimate[table$construct == construct][match(names(block), table$indicator[table$construct == construct])]
      expect_lt(max(abs(got - unlist(block))), 1e-10)
    }
  }
  r2 <- result$r2
  expect_equal(names(r2), c("construct", "r2", "r2_adj"))
  expect_lt(max(abs(r2$r2 - unlist(reference$r2[r2$construct]))), 1e-10)
  expect_lt(max(abs(r2$r2_adj - unlist(reference$r2_adj[r2$construct]))), 1e-10)
})

test_that("the same JSON as the CLI with a bootstrap, bit for bit", {
  skip_without_mobi(); skip_without_cli()
  out <- run_cli("--model", model_path, "--data", mobi_path, "--scale", "1:10", "--bootstrap", "60", "--seed", "7")
  mine <- estimate(ecsi, mobi, scale = c(1, 10), bootstrap = 60, seed = 7, threads = 2)
  expect_identical(without_input(to_json(mine)), without_input(paste(readLines(out), collapse = "\n")))
  expect_equal(names(mine$paths), c("from", "to", "estimate", "boot_mean", "bias", "se", "t", "p", "ci_lower", "ci_upper"))
  expect_equal(names(mine$indices), c("construct", "index"))
  expect_equal(length(coef(mine)), 12)
})

test_that("summary() is the CLI's text", {
  skip_without_mobi(); skip_without_cli()
  printed <- system2(cli, c("estimate", "--model", model_path, "--data", mobi_path), stdout = TRUE)
  mine <- strsplit(unclass(summary(estimate(model_path, mobi))), "\n")[[1]]
  differing <- which(printed != mine)
  expect_equal(length(printed), length(mine))
  expect_equal(mine[differing], "data   the data frame (250 respondents)")
})

test_that("factor groups and NAs give the CLI's numbers", {
  skip_without_mobi(); skip_without_cli()
  frame <- mobi
  set.seed(3)
  for (column in c("CUEX1", "PERQ3", "CUSL2")) frame[sample(nrow(frame), 12), column] <- NA
  frame$segment <- factor(ifelse(seq_len(nrow(frame)) %% 3 == 1, "north", "south"), levels = c("unused", "south", "north"))
  csv <- tempfile(fileext = ".csv")
  utils::write.csv(frame, csv, row.names = FALSE, na = "NA")
  out <- run_cli("--model", model_path, "--data", csv, "--group", "segment", "--missing-treatment", "mean", "--bootstrap", "20")
  mine <- estimate(ecsi, frame, group = "segment", missing = "mean", bootstrap = 20)
  expect_identical(without_input(to_json(mine)), without_input(paste(readLines(out), collapse = "\n")))
  expect_equal(mine$missing$missing_values, 36)
  frame$segment <- as.character(frame$segment)
  expect_identical(without_input(to_json(estimate(ecsi, frame, group = "segment", missing = "mean", bootstrap = 20))),
                   without_input(to_json(mine)))
})

test_that("a haven-labelled group column is grouped by its labels, as SPSS files are", {
  skip_without_mobi()
  codes <- ifelse(seq_len(nrow(mobi)) %% 3 == 1, 2, 1)
  labelled <- mobi
  labelled$segment <- structure(codes, labels = c(south = 1, north = 2), class = c("haven_labelled", "vctrs_vctr", "double"))
  as_factor <- transform(mobi, segment = factor(ifelse(codes == 2, "north", "south")))
  expect_identical(to_json(estimate(ecsi, labelled, group = "segment")), to_json(estimate(ecsi, as_factor, group = "segment")))
  expect_equal(estimate(ecsi, labelled, group = "segment")$groups$results$group, c("north", "south"))
})

test_that("bad data and options give clear R errors", {
  skip_without_mobi()
  expect_error(estimate(ecsi, transform(mobi, CUEX1 = as.character(CUEX1))), "column 'CUEX1' is not numeric")
  expect_error(estimate(ecsi, transform(mobi, CUSA1 = factor(CUSA1))), "column 'CUSA1' is not numeric \\(it is factor\\)")
  expect_error(estimate(ecsi, mobi[, names(mobi) != "PERQ2"]), "has no column 'PERQ2'")
  expect_error(estimate(ecsi, mobi[0, ]), "the data frame has no rows")
  expect_error(estimate(ecsi, transform(mobi, IMAG1 = Inf)), "column 'IMAG1', row 1: not a finite number")
  expect_error(estimate(ecsi, mobi, bootstrap = "many"), "`bootstrap.resamples` takes a whole number, got 'many'")
  expect_error(estimate(ecsi, mobi, bootstrap = 2.5), "got '2.5'")
  expect_error(estimate(ecsi, mobi, seed = list(1)), "option 'seed'")
  expect_error(estimate(ecsi, mobi, boostrap = 10), "unknown option 'boostrap'")
  expect_error(estimate("Image =~ IMAG1 + \nImage ~ ~ Loyalty", mobi), "the model:2: a second operator")
  expect_error(estimate("Image =~ IMAG1 + NOPE\nLoyalty =~ CUSL1\nLoyalty ~ Image", mobi), "NOPE")
  expect_error(estimate(ecsi, as.matrix(mobi)), "data must be a data.frame")
})

test_that("options are reachable by every name of the table", {
  table <- options_table()
  expect_gt(nrow(table), 30)
  expect_true(all(c("bootstrap_resamples", "bootstrap_ci_level", "missing_treatment") %in% table$keyword))
})

test_that("a progress callback sees the bootstrap and an error from it stops the run", {
  skip_without_mobi()
  seen <- list()
  progress <- function(stage, done, total) {
    seen[[length(seen) + 1]] <<- list(stage, total)
    if (!is.null(stage)) stop("stop here")
  }
  expect_error(estimate(ecsi, mobi, bootstrap = 200000, progress = progress), "stop here")
  expect_equal(seen[[1]], list("bootstrap", 200000))
  expect_null(seen[[length(seen)]][[1]])
})

test_that("simulate() and report()", {
  skip_if(is.null(ecsi))
  data <- simulate(ecsi, 120, seed = 5, groups = 2)
  expect_equal(names(data)[1:2], c("company", "IMAG1"))
  expect_equal(nrow(data), 240)
  result <- estimate(ecsi, data, scale = c(1, 10), group = "company")
  expect_equal(result$groups$results$group, c("C001", "C002"))
  path <- tempfile(fileext = ".html")
  report(result, path)
  expect_match(readLines(path, n = 1), "<!DOCTYPE html>")
})

test_that("print, as.list and names show the result's parts", {
  skip_without_mobi()
  result <- estimate(ecsi, mobi)
  expect_output(print(result), "csipls result: 7 constructs, 250 respondents, converged")
  parts <- as.list(result)
  expect_true(all(c("paths", "r2", "weights", "loadings", "reliability", "htmt", "fit") %in% names(parts)))
  expect_equal(names(parts$htmt), c("a", "b", "value"))
  expect_equal(dim(parts$construct_correlations), c(7, 7))
  expect_equal(names(parts$reliability), c("construct", "cronbach_alpha", "rho_a", "rho_c", "ave"))
  expect_true(is.na(parts$reliability$cronbach_alpha[parts$reliability$construct == "Complaints"]))
  expect_equal(unname(coef(result)["Satisfaction ~ Quality"]), parts$paths$estimate[parts$paths$from == "Quality" & parts$paths$to == "Satisfaction"])
})

test_that("Ctrl-C stops a long bootstrap cleanly with an R interrupt", {
  skip_without_mobi()
  skip_on_os("windows")
  dir <- tempfile()
  dir.create(dir)
  script <- file.path(dir, "long.R")
  writeLines(c(
    sprintf(".libPaths(c(%s, .libPaths()))", deparse(dirname(find.package("csipls")))),
    "library(csipls)",
    sprintf("data <- read.csv(%s)", deparse(mobi_path)),
    sprintf("writeLines(as.character(Sys.getpid()), %s)", deparse(file.path(dir, "pid"))),
    sprintf("tryCatch(estimate(%s, data, bootstrap = 1e7, progress = FALSE), interrupt = function(e) writeLines('interrupted', %s))",
            deparse(model_path), deparse(file.path(dir, "done")))), script)
  system2(file.path(R.home("bin"), "Rscript"), script, wait = FALSE, stdout = FALSE, stderr = FALSE)
  waited <- 0
  while (!file.exists(file.path(dir, "pid")) && waited < 30) { Sys.sleep(0.1); waited <- waited + 0.1 }
  Sys.sleep(1)  # into the bootstrap
  pid <- as.integer(readLines(file.path(dir, "pid")))
  on.exit(if (!file.exists(file.path(dir, "done"))) tools::pskill(pid, tools::SIGKILL), add = TRUE)  # never left running
  tools::pskill(pid, tools::SIGINT)
  start <- Sys.time()
  while (!file.exists(file.path(dir, "done")) && Sys.time() - start < 10) Sys.sleep(0.05)
  expect_true(file.exists(file.path(dir, "done")))
  expect_lt(as.numeric(Sys.time() - start, units = "secs"), 2)
})
