// A test suite over the shipped packs with the default policy: the engine is built once per suite
// (SetUpTestSuite) and shared by its tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "blastwall/engine.hpp"

namespace blastwall::testing_support {

class BuiltinEngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto e = Engine::create_builtin(Policy{});
    ASSERT_TRUE(e.has_value()) << e.error().format();
    s_engine = *e;
  }
  static void TearDownTestSuite() { s_engine.reset(); }
  static Verdict eval(const Action& a) { return s_engine->evaluate(a); }
  static Decision decide(const Action& a) { return s_engine->evaluate(a).decision; }
  inline static std::shared_ptr<const Engine> s_engine;
};

}  // namespace blastwall::testing_support
