// What the AWS commands share: cloud flags, the ports factory (real SDK or, in tests, a fake), exit codes.
import { join, resolve } from "node:path";
import type { Recipe } from "../../dsl/resolve.ts";
import type { CloudPorts } from "../../cloud/ports.ts";
import { createSdkPorts } from "../../cloud/sdk/create-sdk-ports.ts";
import type { CommandIo } from "../command.ts";

/** Makes the cloud ports from `--region` / `--profile`; tests pass a fake cloud instead. */
export type MakeCloudPorts = (options: { region: string; profile?: string | undefined }) => CloudPorts;

// The real AWS ports (default credential chain, `--profile`, `--region`).
// The SDK's warning about Node 22 concerns SDK releases after January 2027; package-lock pins ours.
export const makeSdkPorts: MakeCloudPorts = (options) => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  return createSdkPorts({ region: options.region, ...(options.profile ? { profile: options.profile } : {}) });
};

/** Flags every AWS command accepts. */
export const cloudFlags = {
  region: { type: "string" },
  profile: { type: "string" },
  journal: { type: "string" },
  "dry-run": { type: "boolean" },
  json: { type: "boolean" },
} as const;

/** Help lines for `cloudFlags`. */
export const cloudFlagsHelp = `  --region R    region to build in and call global APIs from (default: $AWS_REGION, else the recipe's first region)
  --profile P   named profile from ~/.aws/config (default: the AWS default credential chain)
  --journal F   journal file (default .rtcgw/aws/<recipe>/journal.json)
  --dry-run     run pre-flight and print the plan; create nothing
  --json        print the result as JSON on stdout, progress as JSON lines on stderr
  -h, --help    show this help`;

// The build/home region: the flag, $AWS_REGION, the recipe's first region, us-east-1.
export function pickRegion(flag: string | undefined, recipe?: Recipe): string {
  const first = recipe && recipe.regions !== "all-enabled" ? recipe.regions[0] : undefined;
  return flag ?? process.env.AWS_REGION ?? first ?? "us-east-1";
}

// The journal path of a recipe.
export function journalPathFor(io: CommandIo, flag: string | undefined, recipe: Recipe): string {
  return resolve(io.cwd, flag ?? join(".rtcgw", "aws", recipe.name, "journal.json"));
}

// Exit code of a typed result: 0 ok, 130 aborted, 1 otherwise.
export function exitCodeOf(result: { ok: boolean; kind?: string }): number {
  return result.ok ? 0 : result.kind === "aborted" ? 130 : 1;
}
