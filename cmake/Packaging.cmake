# CPack: a Debian package of what `cmake --install` installs (`make package`, or `cpack -G DEB`
# in the build directory). Runtime dependencies are computed by dpkg-shlibdeps from the binaries.
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "blastwall")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "blastwall maintainers")
set(CPACK_PACKAGE_CONTACT "blastwall maintainers <maintainers@users.noreply.r-seed-f08e13d1.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "local safety proxy between AI coding agents and their tools")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT")
set(CPACK_DEBIAN_PACKAGE_SECTION "devel")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion, xdg-utils")
# Debian's description: a summary line, then the long text (one leading space per line).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "${CPACK_PACKAGE_DESCRIPTION_SUMMARY}
 blastwall sits between AI coding agents (Claude Code, Cursor, Codex, Gemini CLI,
 VS Code / Copilot, any MCP client) and their tools. Every proposed shell command,
 file write or MCP tools/call is parsed the way bash would run it, checked against
 declarative rule packs and answered allow, ask or deny with a reason the agent can
 act on. Everything is recorded in a local, hash-chained SQLite audit log that can be
 queried, verified, replayed against new rules and shipped to an OpenTelemetry
 collector or syslog.")
include(CPack)
