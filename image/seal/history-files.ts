// The per-user files a shell, an editor or a REPL leaves in a home directory: both seals (the local build's
// and the AWS builder's at stop) remove them from every home, and the seal's check (check-path.ts) finds any left.
export const historyFileNames = [
  ".bash_history",
  ".zsh_history",
  ".sh_history",
  ".history",
  ".python_history",
  ".lesshst",
  ".viminfo",
  ".wget-hsts",
  ".node_repl_history",
  ".mysql_history",
  ".psql_history",
  ".cache",
];
