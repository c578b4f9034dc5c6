// STUB: replaced by the real evaluator (lead).
#include "blastwall/engine.hpp"

#include "rules/pack/loader.hpp"
#include "rules/pack/spec.hpp"

namespace blastwall {
struct Engine::Impl {
  std::vector<rules::PackSpec> packs;
  Policy policy;
};
Engine::Engine(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Engine::~Engine() = default;
Result<std::shared_ptr<const Engine>> Engine::create(std::vector<rules::PackSpec> packs, Policy policy) {
  auto impl = std::make_unique<Impl>();
  impl->packs = std::move(packs);
  impl->policy = std::move(policy);
  return std::shared_ptr<const Engine>(new Engine(std::move(impl)));
}
Result<std::shared_ptr<const Engine>> Engine::create_builtin(Policy policy) {
  auto packs = rules::load_builtin_packs();
  if (!packs) return packs.error();
  return create(std::move(*packs), std::move(policy));
}
Verdict Engine::evaluate(const Action&, const EngineOptions&) const {
  Verdict v;
  v.decision = Decision::ask;
  v.source = "error";
  v.reason = "engine not built yet";
  return v;
}
const std::vector<rules::PackSpec>& Engine::packs() const { return m_impl->packs; }
const Policy& Engine::policy() const { return m_impl->policy; }
}  // namespace blastwall
