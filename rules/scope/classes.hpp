// Classes of harm recognised by what an action touches rather than by a verb list per tool
// (issue #9): deletes of re-creatable build outputs, caches and scratch buckets (junk_only),
// credential stores (credential_store, credential_destroy), storage and backup destruction
// (storage_destroy), system configuration and trust (system_change, installs_code,
// trust_change), distribution channels (publishes, remote_destroy), and a production marker next
// to a changing verb of a tool no analyser knows (prod_fallback). Private to rules/scope; pure.
#pragma once

#include "blastwall/action.hpp"
#include "rules/scope/scope.hpp"

namespace blastwall::scope {

// Per shell command, after its targets and the other analysers' facts are known.
void class_facts(Subject& s, const shell::SimpleCommand& cmd, const ActionContext& ctx,
                 const ScopeConfig& config);

// Per target (any surface): agent MCP configuration and .envrc (installs_code), credential files
// the core tables do not list (age/sops keys, signing properties, user secrets). `cred`:
// credential_reason of the target's resolved path, as add_target computed it (it is asked once per
// target; null also when the target is a home secret or has no resolved path).
void class_target_facts(Subject& s, const Target& t, const char* cred);

// The MCP call subject: a tool its server annotates destructive (explicitly), called with an
// argument that names production, is asked (mcp_destructive_prod).
void mcp_annotation_facts(Subject& s, const Action& action, const ScopeConfig& config);

}  // namespace blastwall::scope
