// The few error types the CLI boundary turns into exit codes; everything else is a bug (exit 70).

/** The user asked for something malformed (unknown flag, missing argument): exit 2 with usage help. */
export class UsageError extends Error {}

/** The command ran and failed in an expected way; the message was already printed or is printed as is. */
export class ExitError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
