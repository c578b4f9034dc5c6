// Facts about trust, publishing and throw-away environments, computed on subjects that analyze.cpp
// has already built (targets, args, positionals). Private to rules/scope. Pure, like the rest.
//
//   installs_code         the action puts code where it will run later or elsewhere: git hooks, CI
//                         definitions, autostart units, shell login files, PATH directories, Python
//                         startup files, package lifecycle scripts, build scripts that fetch and
//                         run
//   trust_change          the action changes whom the tools trust or how they authenticate: tool
//                         dotfiles (.npmrc, .pypirc, .netrc, .gitconfig, .ssh/config, ...),
//                         registry redirects, credential helpers, account keys, CI secrets
//   outside_project_write the action writes or deletes a file outside the project root (not temp,
//                         not a tool cache); a sibling repository is outside
//   publishes             something leaves the machine for a public or shared registry (package
//                         publish, image push, release) and cannot really be taken back
//   remote_destroy        remote state is deleted or rewritten (unpublish, yank, repo delete or
//                         archive, release delete, HTTP DELETE against a service, push --mirror)
//   public_exposure       data or a service becomes readable by anyone (public ACLs, allUsers,
//                         visibility public, world-open ingress)
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rules/scope/scope.hpp"

namespace blastwall::scope {

// analyze.cpp: `--opt v`, `--opt=v`, `-ov` values of an option.
std::vector<std::string> option_values(const std::vector<std::string>& args, std::string_view opt);

// trust.cpp
// Facts from where a written target lives (hook, CI, autostart, dotfile, PATH, outside project).
void trust_target_facts(Subject& s, const Target& t, const ActionContext& ctx);
// Facts from what is written into a manifest or build script (lifecycle scripts, fetch-and-run).
// `old_content` is the replaced text of an edit, empty for whole-file writes.
void trust_content_facts(Subject& s, std::string_view resolved_path, std::string_view content,
                         std::string_view old_content);
// Commands that write trust configuration without naming the file (git config, npm config set,
// crontab, systemctl --user enable, ...). Returns shell text the configuration will run
// (git aliases with '!', sshCommand, pager), for the caller to analyse as further subjects.
std::vector<std::string> trust_command_facts(Subject& s, const ActionContext& ctx);

// publish.cpp
// Package publish/unpublish, image push, forge CLIs, bucket ACLs, raw HTTP verbs in curl/httpie.
void publish_command_facts(Subject& s);
// An HTTP request (curl -X, httpie, net.fetch, MCP fetch) by method and URL.
void http_request_facts(Subject& s, std::string_view method, std::string_view url);
// Cross-command: `git remote add X URL && git push X --all` pushes every ref to a new remote.
void push_to_new_remote_facts(std::vector<Subject>& subjects, size_t first);

// oneliner.cpp
// Paths named by delete calls in interpreter code (shutil.rmtree('build'), fs.rmSync('dist'),
// FileUtils.rm_rf("tmp/cache")): {literal path, false}, or {"", true} when a call's argument is
// not a string literal.
std::vector<std::pair<std::string, bool>> interpreter_delete_paths(std::string_view code);
// Every delete call's argument is computed, and every glob in the code names build junk
// ([p.unlink() for p in Path('.').rglob('*.pyc')]).
bool interpreter_deletes_only_junk(std::string_view code);
// Build junk and re-creatable outputs by name: __pycache__, *.pyc, *.orig, swap files, ...
bool is_junk_name(std::string_view name);

}  // namespace blastwall::scope
