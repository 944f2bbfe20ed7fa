library(testthat)
library(csipls)
test_check("csipls")
