import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseDurationSeconds } from "../../dsl/units.ts";
import { generateLicenseKeys, issueLicense, verifyLicense, type LicenseTerms } from "../../gateway/agent/license/license-document.ts";
import { projectRoot } from "../../gateway/render-template.ts";
import { parseCommandArgs } from "../args.ts";
import type { Command } from "../command.ts";
import { ExitError, UsageError } from "../errors.ts";
import { writeFileAtomic } from "../../io/write-file-atomic.ts";

const defaultPublicKey = resolve(projectRoot, "gateway/agent/license/vendor-public-key.pem");

// `rtcgw license keygen|issue|verify`: the vendor side of gateway licenses.
export const licenseCommand: Command = {
  name: "license",
  help: `Usage: rtcgw license keygen --private-key FILE [--public-key FILE]
       rtcgw license issue --private-key FILE --licensee NAME --expires DATE [--max-call-duration D] [--max-parallel-calls N]
       rtcgw license verify [--public-key FILE] (LICENSE | --file FILE)

A license is one line (Ed25519-signed terms). Put it into the SSM parameter the recipe names
(gateway.license.parameter, default /rtcgw/license) in each region; gateways read it at boot.
No license, a bad signature or an expired one means demo mode: calls end after 90 s.

The image carries only the public key (${defaultPublicKey.replace(`${projectRoot}/`, "")});
keep the private key off the repository and off every image.

Options:
  --private-key FILE        the vendor's signing key (PKCS#8 PEM); keygen writes it (mode 0600, never overwrites)
  --public-key FILE         keygen: where to write the public key (default: the one baked into images);
                            verify: the key to check against (default: the same)
  --licensee NAME           who the license is for
  --expires DATE            ISO date or instant, e.g. 2027-12-31
  --max-call-duration D     e.g. 3600s, 2h, or "unlimited" (default)
  --max-parallel-calls N    a positive integer, or "unlimited" (default)
  --file FILE               verify: read the license from FILE
  -h, --help                show this help
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        "private-key": { type: "string" },
        "public-key": { type: "string" },
        licensee: { type: "string" },
        expires: { type: "string" },
        "max-call-duration": { type: "string" },
        "max-parallel-calls": { type: "string" },
        file: { type: "string" },
      },
      "license",
    );
    const [action, ...rest] = positionals;
    const path = (p: string) => resolve(io.cwd, p);
    if (action === "keygen") {
      if (!values["private-key"]) throw new UsageError("`license keygen` needs --private-key FILE");
      const keys = generateLicenseKeys();
      await writeFileAtomic(path(values["private-key"]), keys.privateKeyPem, { mode: 0o600, exclusive: true }).catch((error: NodeJS.ErrnoException) => {
        throw error.code === "EEXIST" ? new ExitError(`${values["private-key"]} exists: refusing to replace a signing key`) : error;
      });
      const publicPath = values["public-key"] ? path(values["public-key"]) : defaultPublicKey;
      await writeFileAtomic(publicPath, keys.publicKeyPem);
      io.stdout(
        `wrote the private key to ${values["private-key"]} (keep it secret) and the public key to ${publicPath}\nimages built from now on accept licenses signed with this key only\n`,
      );
      return 0;
    }
    if (action === "issue") {
      for (const flag of ["private-key", "licensee", "expires"] as const) if (!values[flag]) throw new UsageError(`\`license issue\` needs --${flag}`);
      const terms: LicenseTerms = {
        licensee: values.licensee!,
        maxCallSeconds: parseLimit(
          values["max-call-duration"],
          "max-call-duration",
          (text) => parseDurationSeconds(text) ?? (/^\d+$/.test(text) ? Number(text) : undefined),
        ),
        maxParallelCalls: parseLimit(values["max-parallel-calls"], "max-parallel-calls", (text) => (/^\d+$/.test(text) ? Number(text) : undefined)),
        expires: parseDate(values.expires!),
        issued: new Date().toISOString(),
      };
      const privateKey = await readFile(path(values["private-key"]!), "utf8");
      try {
        io.stdout(`${issueLicense(terms, privateKey)}\n`);
      } catch (error) {
        throw new ExitError((error as Error).message);
      }
      return 0;
    }
    if (action === "verify") {
      const text = values.file ? await readFile(path(values.file), "utf8") : rest[0];
      if (!text) throw new UsageError("`license verify` needs the license text or --file FILE");
      const publicKey = await readFile(values["public-key"] ? path(values["public-key"]) : defaultPublicKey, "utf8");
      const verdict = verifyLicense(text, publicKey, new Date());
      if (verdict.status === "valid" || verdict.status === "expired") {
        const { terms } = verdict;
        io.stdout(
          `${verdict.status}: licensed to ${terms.licensee}, expires ${terms.expires}, max call ${terms.maxCallSeconds ?? "unlimited"} s, max parallel calls ${terms.maxParallelCalls ?? "unlimited"}\n`,
        );
        return verdict.status === "valid" ? 0 : 1;
      }
      io.stdout(`${verdict.status}: ${verdict.reason} (a gateway would run in demo mode)\n`);
      return 1;
    }
    throw new UsageError(`\`license\` needs an action: keygen, issue or verify${action ? `, got \`${action}\`` : ""}`);
  },
};

function parseLimit(text: string | undefined, flag: string, parse: (text: string) => number | undefined): number | null {
  if (text === undefined || text === "unlimited") return null;
  const value = parse(text);
  if (value === undefined || !Number.isInteger(value) || value <= 0)
    throw new UsageError(`expected --${flag} to be a positive whole number (or "unlimited"), got \`${text}\``);
  return value;
}

function parseDate(text: string): string {
  const time = Date.parse(text);
  if (Number.isNaN(time)) throw new UsageError(`expected --expires to be an ISO date such as 2027-12-31, got \`${text}\``);
  return new Date(time).toISOString();
}
