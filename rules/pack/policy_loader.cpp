// STUB (pack-loader owner replaces).
#include "blastwall/policy.hpp"
namespace blastwall {
Result<Policy> parse_policy_layers(const std::vector<PolicyLayer>&) { return Policy{}; }
}  // namespace blastwall
