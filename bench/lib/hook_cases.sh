# Shared set-up of bench/resident.sh and bench/hooks_ab.sh (sourced, not run): a git project under
# $HOME, a static no-op binary ($1/noop, the floor a process costs) and the four Claude Code
# PreToolUse envelopes $1/{allow,deny,write,mcp}.json. Needs HOME set to a scratch directory.
hook_cases() {
  local dir=$1
  mkdir -p "$HOME/project/.git" && echo 'ref: refs/heads/feature/x' > "$HOME/project/.git/HEAD"
  printf 'int main(void){return 0;}\n' > "$dir/noop.c"
  cc -O2 -static -o "$dir/noop" "$dir/noop.c"
  envelope() {
    printf '{"session_id":"bench","transcript_path":"/dev/null","cwd":"%s","permission_mode":"default","hook_event_name":"PreToolUse","tool_name":"%s","tool_input":%s,"tool_use_id":"toolu_bench"}' \
      "$HOME/project" "$1" "$2"
  }
  envelope Bash '{"command":"git status"}' > "$dir/allow.json"
  envelope Bash '{"command":"rm -rf ~"}' > "$dir/deny.json"
  envelope Write "{\"file_path\":\"$HOME/project/src/main.c\",\"content\":\"int main(void){return 0;}\"}" > "$dir/write.json"
  envelope mcp__pg__query '{"sql":"DELETE FROM sessions"}' > "$dir/mcp.json"
}
