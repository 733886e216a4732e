// The per-user files a shell, an editor or a REPL leaves in a home directory: both seals (the local build's
// and the AWS builder's at stop) remove them, and the seal check (check-path.ts) refuses an image that keeps one.
export const historyFileNames = [
  ".bash_history",
  ".zsh_history",
  ".sh_history",
  ".history",
  ".python_history",
  ".lesshst",
  ".viminfo",
  ".mysql_history",
  ".psql_history",
  ".node_repl_history",
  ".wget-hsts",
];

/** What the seals remove from every home: the history files and the per-user cache directory. */
export const homeLeftoverNames = [...historyFileNames, ".cache"];
