#include "rules/scope/commands.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "rules/scope/command_table.hpp"

namespace blastwall::scope {
namespace {

template <size_t N>
bool in(const std::array<std::string_view, N>& a, std::string_view v) {
  return std::find(a.begin(), a.end(), v) != a.end();
}

constexpr std::array<std::string_view, 16> k_git_value_opts{
    "-C",     "-c",         "--git-dir", "--work-tree", "--namespace", "--config-env",
    "-m",     "-F",         "--message", "-b",          "-B",          "--author",
    "--date", "--template", "--depth",   "--branch"};
constexpr std::array<std::string_view, 24> k_kubectl_value_opts{"-n",
                                                                "--namespace",
                                                                "--context",
                                                                "--cluster",
                                                                "--user",
                                                                "--kubeconfig",
                                                                "-l",
                                                                "--selector",
                                                                "-o",
                                                                "--output",
                                                                "-f",
                                                                "--filename",
                                                                "-c",
                                                                "--container",
                                                                "-s",
                                                                "--server",
                                                                "--token",
                                                                "--field-selector",
                                                                "--kube-context",
                                                                "--values",
                                                                "--set",
                                                                "--version",
                                                                "--timeout",
                                                                "--type"};
constexpr std::array<std::string_view, 12> k_aws_value_opts{
    "--profile", "--region",        "--output",       "--endpoint-url",
    "--query",   "--bucket",        "--key",          "--stack-name",
    "--cluster", "--function-name", "--instance-ids", "--db-instance-identifier"};
constexpr std::array<std::string_view, 10> k_gcloud_value_opts{
    "--project", "--account", "--configuration", "--format",   "--zone",
    "--region",  "--filter",  "--cluster",       "--location", "--impersonate-service-account"};
constexpr std::array<std::string_view, 8> k_az_value_opts{
    "--subscription", "-g", "--resource-group", "-o", "--output", "-n", "--name", "--query"};
constexpr std::array<std::string_view, 8> k_tf_value_opts{
    "-var",     "-var-file",     "-target",     "-state", "-backend-config",
    "-replace", "-lock-timeout", "-parallelism"};
constexpr std::array<std::string_view, 6> k_pulumi_value_opts{"-s",    "--stack",       "-C",
                                                              "--cwd", "--config-file", "--target"};
constexpr std::array<std::string_view, 10> k_docker_value_opts{
    "-H",     "--host", "--context",      "--config", "-f",
    "--file", "-p",     "--project-name", "--filter", "--log-level"};
constexpr std::array<std::string_view, 14> k_db_value_opts{
    "-h", "--host",   "-p", "-U",     "--username", "-u", "--user",
    "-d", "--dbname", "-P", "--port", "--url",      "-c", "-e"};

constexpr std::array<std::string_view, 36> k_file_cmds{
    "rm",    "rmdir", "unlink", "shred", "mv",     "cp",       "ln",  "install", "touch",
    "mkdir", "chmod", "chown",  "chgrp", "chattr", "truncate", "tee", "cat",     "less",
    "more",  "head",  "tail",   "wc",    "stat",   "file",     "du",  "ls",      "tar",
    "zip",   "unzip", "srm",    "wipe",  "dd",     "source",   ".",   "bat",     "nl"};
constexpr std::array<std::string_view, 20> k_writer_cmds{
    "rm",    "rmdir", "unlink", "shred",  "mv",       "cp",  "ln",  "install", "touch", "mkdir",
    "chmod", "chown", "chgrp",  "chattr", "truncate", "tee", "srm", "wipe",    "dd",    "rsync"};
constexpr std::array<std::string_view, 12> k_code_first{
    "grep", "egrep", "fgrep", "rg", "ag", "ack", "sed", "awk", "gawk", "mawk", "jq", "yq"};
constexpr std::array<std::string_view, 22> k_network_cmds{
    "curl",   "wget",  "nc",     "ncat",   "netcat", "socat",  "scp", "sftp",
    "ssh",    "ftp",   "telnet", "http",   "https",  "httpie", "xh",  "rsync",
    "aria2c", "fetch", "lftp",   "rclone", "s3cmd",  "mail"};
constexpr std::array<std::string_view, 9> k_shells{"sh",   "bash", "zsh",  "dash",   "ksh",
                                                   "fish", "ash",  "mksh", "busybox"};
// Including the JVM, Go and C families' stdin readers: `curl .. | yaegi` runs what was fetched.
constexpr std::array<std::string_view, 21> k_interpreters{
    "python", "python2",  "python3", "node",  "nodejs",      "perl",   "ruby",
    "php",    "deno",     "bun",     "lua",   "Rscript",     "jshell", "yaegi",
    "groovy", "groovysh", "kotlinc", "scala", "rust-script", "tcc",    "csi"};

constexpr std::array<std::string_view, 6> k_copy_value_opts{
    "-t", "--target-directory", "-S", "--suffix", "-m", "--mode"};
constexpr std::array<std::string_view, 4> k_truncate_value_opts{"-s", "--size", "-r",
                                                                "--reference"};
constexpr std::array<std::string_view, 6> k_tar_value_opts{"-f",          "--file", "-C",
                                                           "--directory", "-T",     "--exclude"};
constexpr std::array<std::string_view, 6> k_headtail_value_opts{
    "-n", "-c", "--lines", "--bytes", "-s", "--sleep-interval"};

}  // namespace

// Every command option_takes_value names: for the others (ls, npm, ...) it returns at once.
constexpr std::string_view k_value_opt_cmds[] = {
    "git",        "kubectl",  "helm",      "oc",      "k9s",       "aws",
    "gcloud",     "gsutil",   "bq",        "az",      "terraform", "tofu",
    "terragrunt", "pulumi",   "helmfile",  "docker",  "podman",    "docker-compose",
    "psql",       "mysql",    "mariadb",   "pg_dump", "dropdb",    "createdb",
    "mongosh",    "mongo",    "redis-cli", "cp",      "mv",        "ln",
    "install",    "truncate", "tar",       "head",    "tail",      "mkdir",
    "touch",      "du",       "chmod",     "chown",   "chgrp",     "ssh",
    "autossh",    "scp",      "sftp",      "curl",    "wget"};

bool option_takes_value(std::string_view cmd, std::string_view opt) {
  if (command_table_on() && (command_bits(cmd) & cmd_value_opts) == 0) return false;
  if (cmd == "git") return in(k_git_value_opts, opt);
  if (cmd == "kubectl" || cmd == "helm" || cmd == "oc" || cmd == "k9s")
    return in(k_kubectl_value_opts, opt);
  if (cmd == "aws") return in(k_aws_value_opts, opt);
  if (cmd == "gcloud" || cmd == "gsutil" || cmd == "bq") return in(k_gcloud_value_opts, opt);
  if (cmd == "az") return in(k_az_value_opts, opt);
  if (cmd == "terraform" || cmd == "tofu" || cmd == "terragrunt") return in(k_tf_value_opts, opt);
  if (cmd == "pulumi") return in(k_pulumi_value_opts, opt);
  if (cmd == "helmfile")
    return opt == "-e" || opt == "--environment" || opt == "-f" || opt == "--file" || opt == "-l" ||
           opt == "--selector" || opt == "--kube-context" || opt == "-n" || opt == "--namespace";
  if (cmd == "docker" || cmd == "podman" || cmd == "docker-compose")
    return in(k_docker_value_opts, opt);
  if (cmd == "psql" || cmd == "mysql" || cmd == "mariadb" || cmd == "pg_dump" || cmd == "dropdb" ||
      cmd == "createdb" || cmd == "mongosh" || cmd == "mongo" || cmd == "redis-cli")
    return in(k_db_value_opts, opt);
  if (cmd == "cp" || cmd == "mv" || cmd == "ln" || cmd == "install")
    return in(k_copy_value_opts, opt);
  if (cmd == "truncate") return in(k_truncate_value_opts, opt);
  if (cmd == "tar") return in(k_tar_value_opts, opt);
  if (cmd == "head" || cmd == "tail") return in(k_headtail_value_opts, opt);
  if (cmd == "mkdir") return opt == "-m" || opt == "--mode";
  if (cmd == "touch") return opt == "-d" || opt == "-t" || opt == "-r" || opt == "--reference";
  if (cmd == "du") return opt == "-d" || opt == "--max-depth";
  if (cmd == "chmod" || cmd == "chown" || cmd == "chgrp") return opt == "--reference";
  // ssh -i KEY authenticates with the key; it does not send it (nor -F config, -o option, ...).
  if (cmd == "ssh" || cmd == "autossh" || cmd == "scp" || cmd == "sftp") {
    return opt.size() == 2 &&
           std::string_view(cmd == "ssh" || cmd == "autossh" ? "bcDEeFIiJLlmOoPpQRSWw"
                                                             : "cDFiJlOoPSX")
                   .find(opt[1]) != std::string_view::npos;
  }
  if (cmd == "curl") {
    return opt == "-H" || opt == "--header" || opt == "-d" || opt == "--data" || opt == "-o" ||
           opt == "--output" || opt == "-X" || opt == "--request" || opt == "-u" ||
           opt == "--user" || opt == "-F" || opt == "--form" || opt == "-T" ||
           opt == "--upload-file" || opt == "-A" || opt == "-e" || opt == "--data-binary" ||
           opt == "--data-raw" || opt == "--json" || opt == "-b" || opt == "-c" ||
           opt == "--cookie" || opt == "--cookie-jar";
  }
  if (cmd == "wget") return opt == "-O" || opt == "-o" || opt == "-P" || opt == "--header";
  return false;
}

// Asked of every subject, several times: one lookup in the command table (command_table.hpp).
bool is_file_command(std::string_view cmd) { return command_is(cmd, cmd_file, k_file_cmds); }
bool is_writer_command(std::string_view cmd) { return command_is(cmd, cmd_writer, k_writer_cmds); }
bool first_positional_is_code(std::string_view cmd) {
  return command_is(cmd, cmd_code_first, k_code_first);
}
bool is_network_command(std::string_view cmd) {
  return command_is(cmd, cmd_network, k_network_cmds);
}
bool is_shell(std::string_view cmd) { return command_is(cmd, cmd_shell, k_shells); }
bool is_interpreter(std::string_view cmd) {
  return command_is(cmd, cmd_interpreter, k_interpreters);
}

std::span<const CommandNames> commands_command_names() {
  static const CommandNames k_lists[] = {{cmd_file, k_file_cmds},
                                         {cmd_writer, k_writer_cmds},
                                         {cmd_code_first, k_code_first},
                                         {cmd_network, k_network_cmds},
                                         {cmd_shell, k_shells},
                                         {cmd_interpreter, k_interpreters},
                                         {cmd_value_opts, k_value_opt_cmds}};
  return k_lists;
}
bool is_env_dumper(std::string_view cmd) {
  return cmd == "env" || cmd == "printenv" || cmd == "set" || cmd == "export" || cmd == "declare";
}

}  // namespace blastwall::scope
