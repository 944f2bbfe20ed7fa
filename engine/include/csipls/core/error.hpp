#pragma once
// Typed errors. Every message is complete on its own (it names the file, line, column, construct or
// indicator at fault) so the CLI can print it as one line without adding context.
#include <cstdio>
#include <stdexcept>
#include <string>

namespace csipls {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Malformed content of a data or model file.
class InputError : public Error {
public:
    using Error::Error;
};

// A well-formed model that cannot be estimated (cycle, indicator in two blocks, constant indicator, ...).
class ModelError : public Error {
public:
    using Error::Error;
};

// A numerical failure during estimation (singular matrix, non-finite values).
class EstimationError : public Error {
public:
    using Error::Error;
};

// Invalid option values.
class UsageError : public Error {
public:
    using Error::Error;
};

// A file that cannot be opened, read or written.
class IoError : public Error {
public:
    using Error::Error;
};

// A long run (bootstrap, fit test, group study) stopped on request (the monitor's cancel flag,
// Ctrl-C in the CLI): no partial result.
class Cancelled : public Error {
public:
    Cancelled() : Error("the run was cancelled") {}
};

// A number as people write it in a message: 1e-07, 5, 0.25 (std::to_string gives 0.000000).
inline std::string number_text(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", value);
    return text;
}

}  // namespace csipls
