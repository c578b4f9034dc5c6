// The engine: Action in, Verdict out. Pure (no I/O, no clock). An Engine is immutable once built
// and safe to share between threads; evaluate() is const and never throws (internal errors become a
// fail-closed verdict).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "blastwall/action.hpp"
#include "blastwall/policy.hpp"
#include "blastwall/result.hpp"
#include "blastwall/verdict.hpp"

namespace blastwall {

namespace rules {
struct PackSpec;
}

struct EngineOptions {
  bool explain = false;  // fill Verdict::explanation with the parse and evaluation trace
};

class Engine {
 public:
  // Compiles packs + policy. Errors name the rule and file:line:col.
  [[nodiscard]] static Result<std::shared_ptr<const Engine>> create(
      std::vector<rules::PackSpec> packs, Policy policy);
  // The packs compiled into the binary plus policy.extra_pack_paths are loaded by the caller
  // (cli/engine_setup.cpp); this helper uses only the built-in packs.
  [[nodiscard]] static Result<std::shared_ptr<const Engine>> create_builtin(Policy policy);

  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  [[nodiscard]] Verdict evaluate(const Action& action, const EngineOptions& options = {}) const;

  [[nodiscard]] const std::vector<rules::PackSpec>& packs() const;
  [[nodiscard]] const Policy& policy() const;

  struct Impl;

 private:
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace blastwall
