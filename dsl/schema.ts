import { z } from "zod";
import {
  accountPattern,
  cidrPattern,
  pemCertificatesPattern,
  debianPackagePattern,
  dialPatternPattern,
  hostnamePattern,
  imagePathPattern,
  instanceProfilePattern,
  instanceTypePattern,
  isIpAddress,
  namePattern,
  regionPattern,
  ssmNamePattern,
  subnetIdPattern,
  titlePattern,
  unixUserPattern,
  userAgentFragmentPattern,
  versionPattern,
} from "./patterns.ts";
import { durationSchema, portRangeSchema, portSchema } from "./units.ts";
import { catchAllPattern, defaultCodecs, defaultConferencePattern, defaultMusicPattern } from "./defaults.ts";

// The runtime source of truth for recipes: strict objects (typos are errors), defaults filled in,
// units normalised (port ranges to { from, to }, durations to seconds).

const name = z.string().regex(namePattern, "expected lowercase letters, digits and '-', starting with a letter");
const host = z.string().refine((value) => hostnamePattern.test(value) || isIpAddress(value), "expected a host name or an IP address");
const cidr = z.string().regex(cidrPattern, 'expected an IP address or CIDR such as "203.0.113.10/32"');
const dialPattern = z
  .string()
  .regex(dialPatternPattern, "expected a regular expression of letters, digits and * # + ^ $ . ( ) [ ] { } | ? \\ , _ -")
  .superRefine((pattern, ctx) => {
    const error = regexError(pattern);
    if (error) ctx.addIssue({ code: "custom", message: `is not a valid regular expression (${error})` });
  });

function regexError(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, "");
  }
}

const upstreamTls = z.strictObject({
  ca: z
    .string()
    .max(65536)
    .regex(pemCertificatesPattern, 'expected PEM certificates ("-----BEGIN CERTIFICATE-----" ... "-----END CERTIFICATE-----")')
    .optional(),
  verify: z.boolean().default(true),
});

const upstream = z
  .strictObject({
    name,
    host,
    port: portSchema.optional(),
    transport: z.enum(["udp", "tcp", "tls"]).default("udp"),
    allowFrom: z.array(cidr).optional(),
    tls: upstreamTls.optional(),
  })
  .superRefine((value, ctx) => {
    if (value.tls && value.transport !== "tls")
      ctx.addIssue({ code: "custom", path: ["tls"], message: `tls settings apply to transport "tls" only; this upstream uses "${value.transport}"` });
  });

const listen = z.strictObject({
  address: host.default("0.0.0.0"),
  advertise: host.optional(),
  sip: z
    .strictObject({
      ports: portRangeSchema.default({ from: 5060, to: 5069 }),
      transports: z
        .array(z.enum(["udp", "tcp"]))
        .min(1)
        .default(["udp", "tcp"]),
    })
    .prefault({}),
  tls: z.union([z.literal(false), z.strictObject({ port: portSchema.default(5061) })]).default(false),
  wss: z.strictObject({ port: portSchema.default(443) }).prefault({}),
  ws: z.union([z.literal(false), z.strictObject({ port: portSchema.default(8080) })]).default(false),
  rtp: portRangeSchema.default({ from: 10000, to: 11000 }),
  rtpengineControl: portSchema.default(2223),
});

const webrtcCodec = z.enum(["opus", "PCMU", "PCMA", "G722"]);
const rule = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("strip-video") }),
  z.strictObject({ kind: z.literal("max-call-duration"), limit: durationSchema }),
  z.strictObject({
    kind: z.literal("codec-policy"),
    webrtc: z
      .array(webrtcCodec)
      .min(1)
      .default([...defaultCodecs.webrtc]),
    sip: z
      .array(webrtcCodec)
      .min(1)
      .default([...defaultCodecs.sip]),
  }),
]);

const dialRoute = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("conference"), pattern: dialPattern.default(defaultConferencePattern) }),
  z.strictObject({ kind: z.literal("music"), pattern: dialPattern.default(defaultMusicPattern) }),
  z.strictObject({ kind: z.literal("upstream"), pattern: dialPattern.default(catchAllPattern), upstream: name }),
  z.strictObject({
    kind: z.literal("reject"),
    pattern: dialPattern.default(catchAllPattern),
    status: z.int().min(400).max(699).default(403),
  }),
]);

const security = z.strictObject({
  flood: z
    .strictObject({
      requests: z.int().min(1).max(100000).default(30),
      window: durationSchema.default(2),
      ban: durationSchema.default(300),
    })
    .prefault({}),
  scanners: z
    .array(z.string().regex(userAgentFragmentPattern, "expected letters, digits, spaces and . _ -"))
    .default(["friendly-scanner", "sipvicious", "sipcli", "VaxSIPUserAgent", "sip-scan", "iWar", "sundayddr", "SIPScan", "Ozeki"]),
  relay: z.literal("deny").default("deny"),
});

const gateway = z.strictObject({
  domains: z.array(host).min(1, "name at least one SIP domain"),
  upstreams: z.array(upstream).min(1, "name at least one upstream (your PBX)"),
  listen: listen.prefault({}),
  rules: z.array(rule).default([]),
  dialPlan: z.array(dialRoute).min(1).optional(),
  security: security.prefault({}),
  media: z.strictObject({ port: portSchema.default(5090), roomLimit: z.int().min(1).max(10000).default(50) }).prefault({}),
  admin: z.strictObject({ user: z.string().regex(unixUserPattern, "expected a Unix-style user name").default("sbcadmin") }).prefault({}),
  license: z
    .strictObject({ parameter: z.string().regex(ssmNamePattern, 'expected an SSM parameter name such as "/rtcgw/license"').default("/rtcgw/license") })
    .prefault({}),
  capacity: z.strictObject({ parallelCalls: z.int().min(1).max(100000).default(200) }).prefault({}),
  metrics: z.boolean().default(true),
});

const image = z.strictObject({
  name: name.optional(),
  base: z
    .literal("debian-13", {
      error: 'rtcgw builds its images on Debian 13 only ("debian-13": Kamailio 6.0, rtpengine 12.5): set image.base to "debian-13" or leave it out',
    })
    .default("debian-13"),
  arch: z.enum(["amd64", "arm64"]).default("amd64"),
  packages: z.array(z.string().regex(debianPackagePattern, "expected a Debian package name")).default([]),
  files: z
    .array(
      z.strictObject({
        path: z
          .string()
          .regex(imagePathPattern, "expected an absolute path of letters, digits and _ . @ + -")
          .refine((p) => !p.split("/").includes(".."), "must not contain '..'"),
        content: z.string().max(1_000_000),
        mode: z
          .string()
          .regex(/^0[0-7]{3}$/, 'expected an octal mode such as "0644"')
          .default("0644"),
      }),
    )
    .default([]),
  hardening: z.enum(["cis-l1", "minimal"]).default("cis-l1"),
  ssh: z
    .strictObject({
      port: portSchema.default(22),
      allowFrom: z.array(cidr).min(1).default(["0.0.0.0/0", "::/0"]),
      rateLimitPerMinute: z.int().min(1).max(1000).default(10),
    })
    .prefault({}),
  builder: z
    .strictObject({
      instanceType: z.string().regex(instanceTypePattern, 'expected an EC2 instance type such as "t3.small"').default("t3.small"),
      instanceProfile: z.string().regex(instanceProfilePattern).optional(),
      subnetId: z.string().regex(subnetIdPattern, 'expected a subnet ID such as "subnet-0123456789abcdef0"').optional(),
    })
    .prefault({}),
  disk: z.strictObject({ sizeGiB: z.int().min(4).max(1024).default(8), encrypted: z.boolean().default(false) }).prefault({}),
});

const publish = z.strictObject({
  visibility: z
    .union([
      z.enum(["public", "private"]),
      z.strictObject({ accounts: z.array(z.string().regex(accountPattern, "expected a 12-digit AWS account ID")).min(1) }),
    ])
    .default("private"),
  ssmPrefix: z.string().regex(ssmNamePattern, 'expected an SSM path such as "/rtcgw"').default("/rtcgw"),
  goPage: z
    .union([
      z.literal(false),
      z.strictObject({ title: z.string().regex(titlePattern, "no control characters, quotes, < > & or \\").default("rtcgw — WebRTC to SIP gateway") }),
    ])
    .prefault({}),
  deprecateAfter: durationSchema.default(730 * 86400),
});

export const recipeSchema = z.strictObject({
  /** JSON and YAML recipes may name the schema their editor validates them with (`rtcgw schema`); ignored. */
  $schema: z.string().max(2048).optional(),
  name,
  version: z.string().regex(versionPattern, 'expected a version such as "1.2.3"').default("0.1.0"),
  gateway,
  image: image.prefault({}),
  regions: z
    .union([z.array(z.string().regex(regionPattern, 'expected an AWS region such as "eu-central-1"')).min(1), z.literal("all-enabled")])
    .default(["us-east-1"]),
  publish: publish.prefault({}),
});

/** A recipe after parsing: defaults filled in, units normalised. The dial plan may still be absent. */
export type ParsedRecipe = z.output<typeof recipeSchema>;
export type DialRoute = z.output<typeof dialRoute>;
export type Rule = z.output<typeof rule>;
export type Upstream = z.output<typeof upstream>;
