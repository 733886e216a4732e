// The shape every CLI command has; main.ts dispatches to these.

/** Where a command writes; tests capture it. */
export interface CommandIo {
  cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stderr is a terminal (progress lines may be redrawn). */
  interactive: boolean;
  /** Aborted on Ctrl-C: long work stops and cleans up. */
  signal: AbortSignal;
}

/** A command; its one-line summary lives in main.ts's table, which lists commands without loading them. */
export interface Command {
  name: string;
  /** Full `--help` text. */
  help: string;
  /** A more specific help for these arguments (e.g. one target of a command), when there is one. */
  helpFor?(argv: string[]): Promise<string | undefined>;
  /** Returns the exit code. */
  run(argv: string[], io: CommandIo): Promise<number>;
}
