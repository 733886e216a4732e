import type { CommandIo } from "../command.ts";
import { ExitError } from "../errors.ts";

// TEMPORARY until the AWS builder is wired in this session.
export async function runAwsBuild(argv: string[], io: CommandIo): Promise<number> {
  void argv;
  void io;
  throw new ExitError("--target aws is not wired yet");
}
