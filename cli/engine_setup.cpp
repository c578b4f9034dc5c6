// STUB: replaced by the lead.
#include "cli/engine_setup.hpp"
namespace blastwall::cli {
Result<std::shared_ptr<const Engine>> build_engine(const EngineSetup&) {
  return Engine::create_builtin(Policy{});
}
void fill_context_from_os(ActionContext&) {}
}  // namespace blastwall::cli
