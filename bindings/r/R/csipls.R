#' csipls from R: customer satisfaction index models by PLS path modelling, with the numbers of
#' the csipls command line program (the same library).

# A bar of utils::txtProgressBar for each long stage (bootstrap, fit test, groups).
progress_bar <- function() {
  bar <- NULL
  stage_now <- NULL
  function(stage, done, total) {
    if (is.null(stage)) {
      if (!is.null(bar)) close(bar)
      bar <<- NULL
      return(invisible())
    }
    if (!identical(stage, stage_now) || is.null(bar)) {
      if (!is.null(bar)) close(bar)
      message(stage)
      bar <<- utils::txtProgressBar(min = 0, max = max(total, 1), style = 3, file = stderr())
      stage_now <<- stage
    }
    utils::setTxtProgressBar(bar, done)
  }
}

#' Estimates a PLS path model (a study, as `csipls estimate` runs it).
#'
#' @param model lavaan syntax (a string, as cSEM takes it) or the path of a model file.
#' @param data a data.frame: numeric indicators (NA a missing answer); the group column may be a
#'   factor, character, numbers or haven's labelled numbers.
#' @param ... every option of the engine by its name with `.` or `_` (`bootstrap.resamples`,
#'   `bootstrap_ci_level`) or its CLI flag (`bootstrap`, `scheme`, `ci_level`, `scale`), plus
#'   `weights` (the case weight column) and `missing` (listwise, mean, pairwise, em).
#'   `options_table()` lists them. A pair for MIN:MAX (`scale = c(1, 10)`).
#' @param progress TRUE: a txtProgressBar during long stages; FALSE: none; or a function(stage,
#'   done, total). Ctrl-C stops the run.
#' @return an object of class csipls.
estimate <- function(model, data, scheme = "path", consistent = FALSE, scale = NULL, bootstrap = 0,
                     seed = NULL, threads = 0, group = NULL, weights = NULL, missing = "listwise", ...,
                     progress = interactive()) {
  if (!is.character(model) || length(model) != 1) stop("model must be lavaan text or a file path (one string)")
  if (!is.data.frame(data)) stop("data must be a data.frame, got ", class(data)[1])
  # The named arguments the caller gave (their defaults are the engine's), then the rest.
  formal <- list(scheme = scheme, consistent = consistent, scale = scale, bootstrap = bootstrap, seed = seed,
                 threads = threads, group = group, weights = weights, missing = missing)
  here <- environment()
  supplied <- names(formal)[!vapply(names(formal), function(n) eval(call("missing", as.name(n)), here), TRUE)]
  given <- c(formal[supplied], list(...))
  if (length(list(...)) && (is.null(names(list(...))) || any(names(list(...)) == "")))
    stop("options are named: estimate(model, data, bootstrap = 500, ...)")
  callback <- if (is.function(progress)) progress else if (isTRUE(progress)) progress_bar() else NULL
  study <- .csipls_estimate(model, data, given, callback)
  cache <- new.env(parent = emptyenv())
  structure(list(study = study, cache = cache), class = "csipls")
}

# The JSON result parsed once (numbers as the engine wrote them: shortest round-trip text).
parsed <- function(x) {
  cache <- unclass(x)$cache
  if (is.null(cache$json)) cache$json <- jsonlite::fromJSON(to_json(x), simplifyVector = TRUE, simplifyDataFrame = TRUE)
  cache$json
}

#' The JSON result: the same bytes as `csipls estimate --out` writes (without its final newline).
to_json <- function(x) {
  stopifnot(inherits(x, "csipls"))
  .csipls_json(unclass(x)$study)
}

named_table <- function(values, key, value) {
  out <- data.frame(names(values), unlist(values, use.names = FALSE), stringsAsFactors = FALSE)
  names(out) <- c(key, value)
  out
}

blocks_table <- function(blocks) {
  rows <- lapply(names(blocks), function(construct)
    data.frame(construct = construct, indicator = names(blocks[[construct]]),
               estimate = unlist(blocks[[construct]], use.names = FALSE), stringsAsFactors = FALSE))
  do.call(rbind, rows)
}

# A part of the JSON result as a table where it is one.
as_table <- function(value) {
  if (is.list(value) && !is.data.frame(value) && setequal(names(value), c("rows", "cols", "values"))) {
    m <- as.matrix(value$values)
    dimnames(m) <- list(value$rows, value$cols)
    return(m)
  }
  value
}

part <- function(x, name) {
  d <- parsed(x)
  boot <- d$bootstrap
  switch(name,
    paths = if (!is.null(boot)) boot$paths else d$paths,
    weights = , outer_weights = if (!is.null(boot)) boot$outer_weights else blocks_table(d$outer_weights),
    loadings = if (!is.null(boot)) boot$loadings else blocks_table(d$loadings),
    r2 = data.frame(construct = names(d$r2), r2 = unlist(d$r2, use.names = FALSE),
                    r2_adj = unlist(d$r2_adj[names(d$r2)], use.names = FALSE), stringsAsFactors = FALSE),
    indices = if (is.null(d$csi_index)) data.frame(construct = character(), index = numeric())
              else named_table(d$csi_index$values, "construct", "index"),
    reliability = data.frame(construct = names(d$reliability$rho_c),
                             lapply(d$reliability, function(v) vapply(v, function(e) if (is.null(e)) NA_real_ else e, 0)),
                             stringsAsFactors = FALSE, row.names = NULL),
    as_table(d[[name]]))
}

#' @export
`$.csipls` <- function(x, name) part(x, name)
#' @export
`[[.csipls` <- function(x, i, ...) part(x, i)
#' @export
names.csipls <- function(x) sort(unique(c(names(parsed(x)), "paths", "r2", "indices", "weights")))

#' @export
as.list.csipls <- function(x, ...) {
  out <- lapply(stats::setNames(nm = names(x)), function(n) part(x, n))
  out
}

#' @export
coef.csipls <- function(object, ...) {
  p <- part(object, "paths")
  stats::setNames(p$estimate, paste(p$to, "~", p$from))
}

#' @export
print.csipls <- function(x, ...) {
  d <- parsed(x)
  cat(sprintf("csipls result: %d constructs, %d respondents, %s\n", length(d$constructs$name), d$n_obs,
              if (isTRUE(d$converged)) "converged" else "NOT converged"))
  print(part(x, "paths"), row.names = FALSE)
  cat("(summary() for every table)\n")
  invisible(x)
}

#' The readable summary `csipls estimate` prints.
#' @export
summary.csipls <- function(object, ...) structure(.csipls_summary(unclass(object)$study), class = "summary.csipls")

#' @export
print.summary.csipls <- function(x, ...) {
  cat(unclass(x))
  invisible(x)
}

#' Construct scores per respondent.
scores <- function(x) as.data.frame(.csipls_scores(unclass(x)$study))

#' Writes the HTML report of a result (as `csipls report`), replaced whole or not at all.
report <- function(result, path) {
  if (!inherits(result, "csipls")) stop("report() takes a csipls result")
  .csipls_report(unclass(result)$study, path.expand(path))
  invisible(path)
}

#' Survey-like data from the model's population values (`csipls simulate`).
simulate <- function(model, n = 250, seed = 1, discrete = TRUE, scale = c(1, 10), centre = 0.7,
                     default_loading = 0.8, default_path = 0.3, groups = 0, group_spread = 0.1) {
  columns <- .csipls_simulate(model, n, seed, discrete, as.integer(scale[1]), as.integer(scale[2]), centre,
                              default_loading, default_path, as.integer(groups), group_spread)
  as.data.frame(columns, stringsAsFactors = FALSE, check.names = FALSE)
}

#' Every option estimate() takes: keyword, CLI flag, value, help.
options_table <- function() .csipls_options()
