import { buildAmiCommand } from "./commands/build-ami.ts";
import { checkCommand } from "./commands/check.ts";
import { compileCommand } from "./commands/compile.ts";
import { initCommand } from "./commands/init.ts";
import { licenseCommand } from "./commands/license.ts";
import { schemaCommand } from "./commands/schema.ts";
import type { Command, CommandIo } from "./command.ts";
import { ExitError, UsageError } from "./errors.ts";

const commands: readonly Command[] = [initCommand, checkCommand, compileCommand, buildAmiCommand, schemaCommand, licenseCommand];

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `Usage: rtcgw <command> [options]

Build, test and publish a WebRTC-to-SIP gateway image from a typed recipe.

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n")}

Run \`rtcgw <command> --help\` for a command's options.
`;
}

function defaultIo(signal: AbortSignal): CommandIo {
  return {
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    interactive: Boolean(process.stderr.isTTY),
    signal,
  };
}

// The one error boundary: runs a command and turns its outcome into an exit code and a message.
export async function main(argv: string[], io?: CommandIo): Promise<number> {
  const controller = new AbortController();
  const onSigint = () => {
    process.stderr.write("\ninterrupted: cleaning up (press Ctrl-C again to force)\n");
    controller.abort(new Error("interrupted"));
    process.once("SIGINT", () => process.exit(130));
  };
  if (!io) process.once("SIGINT", onSigint);
  const out = io ?? defaultIo(controller.signal);
  const [name, ...rest] = argv;
  try {
    if (!name || name === "--help" || name === "-h" || name === "help") {
      out.stdout(usage());
      return name ? 0 : 2;
    }
    if (name === "--version" || name === "-v") {
      out.stdout("rtcgw 0.1.0\n");
      return 0;
    }
    const command = commands.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command "${name}"; commands: ${commands.map((c) => c.name).join(", ")}`);
    if (rest.includes("--help") || rest.includes("-h")) {
      out.stdout(command.help);
      return 0;
    }
    return await command.run(rest, out);
  } catch (error) {
    if (error instanceof UsageError) {
      out.stderr(`rtcgw: ${error.message}\n`);
      return 2;
    }
    if (error instanceof ExitError) {
      out.stderr(`rtcgw: ${error.message}\n`);
      return error.exitCode;
    }
    if (controller.signal.aborted) {
      out.stderr("rtcgw: interrupted\n");
      return 130;
    }
    out.stderr(`rtcgw: internal error: ${(error as Error).stack ?? String(error)}\nThis is a bug in rtcgw; please report it with the command you ran.\n`);
    return 70;
  } finally {
    process.removeListener("SIGINT", onSigint);
  }
}
