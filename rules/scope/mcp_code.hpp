// Program text and credential material in MCP arguments (rules/scope/mcp_code.cpp).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace blastwall::scope {

// "python", "node", "ruby", "perl", "php", "lua", "shell", "go", "java", "kotlin", "groovy",
// "scala", "rust", "c", "csharp", "swift" for a language name as tools spell it ("python3",
// "javascript", "shellscript", "golang"); "" when unknown.
std::string normalise_language(std::string_view name);
// The tool's name says it runs what it is given (run-code, execute_python, eval, notebook cells).
bool tool_runs_code(std::string_view tool);
// A browser automation tool (puppeteer, playwright, devtools): its code runs in a web page.
bool tool_is_browser(std::string_view tool, std::string_view server);
// Argument names that hold program text (`code`, `cell_source`, `snippet`, `function`, ...).
bool is_code_key(std::string_view key);
// The language of an object's code: a sibling `language`/`languageId`/`lang`/`kernel` argument,
// else the tool's name ("browser" for browser tools); "" when nothing says.
std::string mcp_code_language(std::string_view tool, std::string_view server,
                              const nlohmann::json& obj);

// An IPython/Jupyter cell: the Python part, and the shell lines (`!cmd`, `%sx`, `x = !cmd`, a
// `%%bash` cell).
struct CellParts {
  std::string python;
  std::vector<std::string> shell;
};
CellParts split_ipython_cell(std::string_view cell);

// Page code that sends browser-held credentials (cookies, local/session storage) off the page to
// a host that is not this machine: the reason, or "".
std::string browser_credential_send(std::string_view code);

// Credential material written out in text (private keys, cloud/forge/chat/payment tokens, a
// connection URL with its password): the reason, or "".
std::string credential_in_text(std::string_view text);

}  // namespace blastwall::scope

namespace blastwall::scope {
// The words of a tool name, lower case: `kubectl_delete` -> kubectl, delete; `deleteProject` ->
// delete, project; `pods-exec` -> pods, exec.
std::vector<std::string> tool_words(std::string_view tool);
// The destructive verb a tool's name starts or ends with (delete, remove, destroy, drop,
// uninstall, terminate, purge, wipe, truncate, pause, kill, ...), or "".
std::string tool_destructive_verb(std::string_view tool);
// The argument or name word that says the tool acts on an infrastructure or data resource
// (namespace, project, cluster, volume, database, bucket, stack, instance, ...), or "".
std::string tool_resource(std::string_view tool, const nlohmann::json& args);
}  // namespace blastwall::scope

namespace blastwall::scope {
// A request to a cloud instance metadata service for credentials or tokens (AWS IMDS
// security-credentials, GCE service-account tokens, Azure MSI, ECS task credentials): the reason.
std::string metadata_credentials(std::string_view host, std::string_view path);
}  // namespace blastwall::scope
