#include <gtest/gtest.h>
TEST(Validation, Placeholder) {}
