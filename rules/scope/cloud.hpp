// Cloud and cluster blast radius: production from resource identifiers, and the lifecycle step
// (teardown / build-up / in-place replacement) a command is, keyed by the resource it acts on, so
// that session facts can recognise delete-and-recreate. Private to rules/scope. Pure.
#pragma once

#include <string>
#include <vector>

#include "rules/scope/scope.hpp"

namespace blastwall::scope {

// Cloud, cluster and IaC command-line tools whose arguments name remote resources.
[[nodiscard]] bool is_cloud_tool(std::string_view cmd);

// Sets `prod` when a mutating call of a cloud/cluster tool names a production resource in any
// argument: stack, cluster, service, function, database, bucket, resource group, project,
// namespace, release or workspace names, ARNs and URLs (`--stack-name prod-billing`,
// `helm uninstall billing-prod`, `s3://prod-assets`). Reads (`describe`, `get`, `list`, ...) and
// dry runs are left alone: only what can change a resource matters for decisions.
void identifier_prod_facts(Subject& s, const ScopeConfig& config);

// Sets `prod_change` when a cloud, cluster, IaC, CI or deploy tool's mutating verb (deploy, apply,
// delete, scale, submit, start, set, ...) runs against production (the `prod` fact already set):
// not reads, dry runs, local CLI configuration or sign-in, nor copies down to this machine.
void prod_change_facts(Subject& s);

// Sets `privilege_grant` (an identity gets more access: IAM policy attach/put, trust policy
// update, access keys, role assignments, IAM bindings, cluster role bindings) and `dns_change`
// (live DNS records created, changed or deleted) for cloud and cluster CLIs.
void cloud_control_facts(Subject& s);

// Sets `protection_off` when a file write or edit under a production-named path (relative to the
// project root) adds a line that switches a safety setting off: deletion/termination protection,
// `prevent_destroy`, `skip_final_snapshot = true`, `force_destroy = true`, `DeletionPolicy:
// Delete`, point-in-time recovery. An edit is judged by the lines it adds (lines already in
// `old_content` do not count).
void protection_off_facts(Subject& s, std::string_view resolved_path, std::string_view project_root,
                          std::string_view content, std::string_view old_content,
                          const ScopeConfig& config);

// Why a cloud/cluster call changes nothing that matters, or "": a dry run (`--dry-run`,
// `--dryrun`, `gsutil rsync -n`), a local emulator (`--endpoint-url http://localhost:4566`), a
// throw-away local cluster context (kind-*, k3d-*, minikube, docker-desktop). Such subjects are
// not evaluated against rules, like `--help`.
[[nodiscard]] std::string throwaway_reason(const Subject& s);

struct LifecycleStep {
  enum class Kind { none, teardown, buildup, replace };
  Kind kind = Kind::none;
  std::string resource;  // "terraform:/home/dev/p/infra", "cfn:prod-billing", "helm:ctx/ns/api"
  std::string what;      // a few words for messages ("terraform destroy")
};

// What part of a resource's life this command is. `replace` is a recreate on its own
// (`terraform apply -replace=...`, `pulumi up --replace`, `kubectl replace --force`).
[[nodiscard]] LifecycleStep lifecycle_of(const Subject& s);

// Recreate, burst and deletion facts over all subjects of the action, with the session's recent
// actions from the context (rules/scope/session.cpp).
void session_facts(std::vector<Subject>& subjects, const ActionContext& ctx,
                   const ScopeConfig& config);

}  // namespace blastwall::scope
