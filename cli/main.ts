import type { Command, CommandIo } from "./command.ts";
import { ExitError, UsageError } from "./errors.ts";

/** A command known by name and summary; its module (and what it imports, e.g. the AWS SDK) loads only when run. */
interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

const commands: readonly CommandEntry[] = [
  {
    name: "init",
    summary: "start a project (package.json, tsconfig.json, recipe) or add a recipe, pointed at your PBX",
    load: async () => (await import("./commands/init.ts")).initCommand,
  },
  {
    name: "check",
    summary: "type-check and validate a recipe; report every problem with file:line:col",
    load: async () => (await import("./commands/check.ts")).checkCommand,
  },
  {
    name: "compile",
    summary: "compile a recipe into the gateway's config files and the image's provisioning bundle",
    load: async () => (await import("./commands/compile.ts")).compileCommand,
  },
  {
    name: "build-ami",
    summary: "build, seal, audit and smoke-test the gateway image (local by default, or on AWS and publish it)",
    load: async () => (await import("./commands/build-ami.ts")).buildAmiCommand,
  },
  {
    name: "publish",
    summary: "finish publishing an AWS build after a crash or Ctrl-C (--resume)",
    load: async () => (await import("./commands/aws-publish.ts")).publishCommand,
  },
  {
    name: "sweep",
    summary: "find and delete temporary AWS resources a build left behind (by build tag)",
    load: async () => (await import("./commands/aws-housekeeping.ts")).sweepCommand,
  },
  {
    name: "retire",
    summary: "deregister old AMIs (and their snapshots) beyond the newest N, skipping AMIs in use",
    load: async () => (await import("./commands/aws-housekeeping.ts")).retireCommand,
  },
  {
    name: "recipe",
    summary: "change a recipe by command (PBX, regions, any field), keeping its formatting and comments",
    load: async () => (await import("./commands/recipe.ts")).recipeCommand,
  },
  {
    name: "schema",
    summary: "print (or write) the recipe's JSON Schema, for editors and JSON/YAML recipes",
    load: async () => (await import("./commands/schema.ts")).schemaCommand,
  },
  {
    name: "license",
    summary: "vendor side: make a signing key, issue and verify gateway licenses",
    load: async () => (await import("./commands/license.ts")).licenseCommand,
  },
];

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
  // `rtcgw ... | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
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
      out.stdout(`rtcgw ${(await import("./write-project-files.ts")).readRtcgwVersion()}\n`);
      return 0;
    }
    const entry = commands.find((c) => c.name === name);
    if (!entry) throw new UsageError(`unknown command "${name}"; commands: ${commands.map((c) => c.name).join(", ")}`);
    const command = await entry.load();
    if (rest.includes("--help") || rest.includes("-h")) {
      out.stdout((await command.helpFor?.(rest)) ?? command.help);
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
    if (error instanceof Error && error.name === "CloudError") {
      const credentials = /Credentials|ExpiredToken|InvalidClientTokenId|UnrecognizedClient/.test(error.message);
      out.stderr(`rtcgw: AWS refused: ${error.message}\n`);
      if (credentials)
        out.stderr(
          "Give rtcgw AWS credentials: --profile NAME, AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (build locally instead: rtcgw build-ami without --target aws)\n",
        );
      return 1;
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
