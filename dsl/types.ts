// The recipe as a user writes it. Every field is documented with its default; the zod schema in
// schema.ts is the runtime source of truth and test/dsl/types.test.ts keeps the two in step.

/** A port range: `"10000-11000"`, `{ from: 10000, to: 11000 }` or a single port `5060`. */
export type PortRangeInput =
  | `${number}-${number}`
  | {
      /** First port of the range. */
      from: number;
      /** Last port of the range (inclusive). */
      to: number;
    }
  | number;

/** A duration: `"90s"`, `"5m"`, `"2h"`, `"730d"`. */
export type DurationInput = `${number}${"ms" | "s" | "m" | "h" | "d"}`;

/** A transport a SIP peer speaks. */
export type SipTransport = "udp" | "tcp" | "tls";

/** A PBX (or any SIP server) the gateway relays registrations and calls to. */
export interface UpstreamInput<Name extends string = string> {
  /** Name used by dial routes (`{ kind: "upstream", upstream: "pbx" }`). Lowercase letters, digits and `-`. */
  name: Name;
  /**
   * Host name or IP address of the upstream.
   * @example "pbx.example.com"
   */
  host: string;
  /** @default 5060 (5061 for `tls`) */
  port?: number;
  /** @default "udp" */
  transport?: SipTransport;
  /**
   * Source addresses (CIDR) allowed to send calls in from this upstream.
   * @default the upstream's `host` when it is an IP address, else none (calls from the PBX are then refused)
   */
  allowFrom?: readonly string[];
  /**
   * How the gateway checks a `tls` upstream's certificate. By default its chain must lead to a CA of the image's CA
   * bundle (Debian's ca-certificates); `ca` pins the CA certificates to trust instead (PEM text). Kamailio 5.6 does not
   * match the certificate's name against `host`, so pin the CA when a certificate a public CA issued for another name
   * must not pass. `verify: false` turns the check off (anyone on the path can then pose as the PBX); `check` warns.
   * @default { verify: true } (the image's CA bundle)
   */
  tls?: {
    /** PEM CA certificates the upstream's certificate must chain to, instead of the image's CA bundle. */
    ca?: string;
    /** `false` turns the certificate check off (not recommended). @default true */
    verify?: boolean;
  };
}

/** SIP listeners and media ports. */
export interface ListenInput {
  /**
   * Address the gateway binds to; tests override it on loopback.
   * @default "0.0.0.0"
   */
  address?: string;
  /**
   * Public address announced in SDP and Record-Route when the instance sits behind NAT (first boot fills it on AWS).
   * @default none (the bound address)
   */
  advertise?: string;
  /** SIP over UDP and TCP. @default { ports: "5060-5069", transports: ["udp", "tcp"] } */
  sip?: {
    /** Ports Kamailio listens on for SIP (each with every transport below). @default "5060-5069" */
    ports?: PortRangeInput;
    /** Transports on those ports; an upstream needs a listener of its transport, conference and music need `udp`. @default ["udp", "tcp"] */
    transports?: readonly ("udp" | "tcp")[];
  };
  /** SIP over TLS. @default false (disabled) */
  tls?:
    | false
    | {
        /** SIP over TLS port. @default 5061 */
        port?: number;
      };
  /** WebSocket over TLS for browsers; the admin UI and `/tryit/` share this port. @default { port: 443 } */
  wss?: {
    /** HTTPS and WSS port (the agent's). @default 443 */
    port?: number;
  };
  /** Plain WebSocket (for tests and TLS-terminating load balancers). @default false */
  ws?:
    | false
    | {
        /** Plain WebSocket port. @default 8080 */
        port?: number;
      };
  /** RTP/RTCP range rtpengine allocates from (4 ports per call). @default "10000-11000" */
  rtp?: PortRangeInput;
  /** rtpengine's control (ng) port on loopback. @default 2223 */
  rtpengineControl?: number;
}

/** A rule applied to calls between WebRTC and SIP. */
export type RuleInput =
  /** Remove video between WebRTC and SIP: the PBX never sees an active video stream. */
  | { kind: "strip-video" }
  /** End every call after `limit` with a BYE to both sides. */
  | {
      kind: "max-call-duration";
      /** Longest call, e.g. `"90s"` or `"1h"`. */
      limit: DurationInput;
    }
  /** Codecs offered on each side; rtpengine transcodes between them. */
  | {
      kind: "codec-policy";
      /** @default ["opus", "PCMU", "PCMA"] */
      webrtc?: readonly ("opus" | "PCMU" | "PCMA" | "G722")[];
      /** @default ["PCMU", "PCMA"] */
      sip?: readonly ("PCMU" | "PCMA" | "G722" | "opus")[];
    };

/**
 * Only there to make an unknown upstream name a union mismatch, for which TypeScript suggests the
 * closest name ("Did you mean …"); the schema rejects it at run time.
 */
export type UpstreamNameHint = "(the name of an entry in gateway.upstreams)";

/** One entry of the ordered dial plan; the first route whose pattern matches the dialled user wins. */
export type DialRouteInput<Upstream extends string = string> =
  /** `*` + 8 digits joins the on-board audio conference; the digits name the room. */
  | {
      kind: "conference";
      /** Regular expression (POSIX ERE subset) on the dialled user; group 1 names the room. @default "^\\*([0-9]{8})$" */
      pattern?: string;
    }
  /** Plays music from the on-board media service. */
  | {
      kind: "music";
      /** @default "^music$" */
      pattern?: string;
    }
  /** Relays the call to a named upstream. */
  | {
      kind: "upstream";
      /** @default ".*" (everything) */
      pattern?: string;
      /** Name of an entry in `gateway.upstreams`. */
      upstream: NoInfer<Upstream> | UpstreamNameHint;
    }
  /** Refuses the call with a SIP status code. */
  | {
      kind: "reject";
      /** @default ".*" (everything) */
      pattern?: string;
      /** @default 403 */
      status?: number;
    };

/** Limits that keep scanners and floods away. */
export interface SecurityInput {
  /** Source IP flood limit (Kamailio pike). @default { requests: 30, window: "2s", ban: "300s" } */
  flood?: {
    /** Requests a source may send per window. @default 30 */
    requests?: number;
    /** The counting window. @default "2s" */
    window?: DurationInput;
    /** How long a source over the limit stays banned (its requests dropped unanswered). @default "300s" */
    ban?: DurationInput;
  };
  /** User-Agent substrings dropped without an answer. @default ["friendly-scanner", "sipvicious", "sipcli", "VaxSIPUserAgent", "sip-scan", "iWar", "sundayddr", "SIPScan", "Ozeki"] */
  scanners?: readonly string[];
  /** `deny`: only the recipe's domains and upstreams are reachable (403 otherwise). @default "deny" */
  relay?: "deny";
}

/** The gateway: what runs on the appliance. */
export interface GatewayInput<Upstream extends string = string> {
  /** SIP domains served (the PBX's domain); requests for other domains are relaying and refused. */
  domains: readonly string[];
  /** PBX upstreams; at least one. */
  upstreams: readonly UpstreamInput<Upstream>[];
  /** @default see each field */
  listen?: ListenInput;
  /** @default [] */
  rules?: readonly RuleInput[];
  /** Ordered dial plan. @default conference, music, then everything to the first upstream */
  dialPlan?: readonly DialRouteInput<Upstream>[];
  /** @default see each field */
  security?: SecurityInput;
  /** On-board conference and music service (loopback only). @default { port: 5090, roomLimit: 50 } */
  media?: {
    /** The media service's SIP port on loopback. @default 5090 */
    port?: number;
    /** Most participants in one conference room. @default 50 */
    roomLimit?: number;
  };
  /** Admin UI login. @default { user: "sbcadmin" } (password = instance ID) */
  admin?: {
    /** Admin login name. @default "sbcadmin" */
    user?: string;
  };
  /** SSM parameter holding the license; demo mode (90 s calls) without one. @default { parameter: "/rtcgw/license" } */
  license?: {
    /** SSM parameter name. @default "/rtcgw/license" */
    parameter?: string;
  };
  /** Concurrent calls the gateway must carry; the RTP range must hold them. @default { parallelCalls: 200 } */
  capacity?: {
    /** Concurrent calls; new calls beyond it get 503. @default 200 */
    parallelCalls?: number;
  };
  /** Prometheus metrics at `/metrics` (Kamailio, local requests only), and call counts (`ActiveCalls`, `Registrations`) published to CloudWatch every 60 s, namespace `rtcgw`; the published templates' instance role allows `cloudwatch:PutMetricData` only when true. @default true */
  metrics?: boolean;
}

/** A file placed into the image. */
export interface ImageFileInput {
  /** Absolute path in the image. */
  path: string;
  /** File content (UTF-8). */
  content: string;
  /** Octal mode. @default "0644" */
  mode?: `0${number}`;
}

/** The machine image. */
export interface ImageInput {
  /** AMI / artifact name prefix. @default the recipe name */
  name?: string;
  /** Debian 13 (trixie): Kamailio 6.0, rtpengine 12.5, nodejs 20. @default "debian-13" */
  base?: "debian-13";
  /** @default "amd64" */
  arch?: "amd64" | "arm64";
  /** Extra Debian packages. @default [] */
  packages?: readonly string[];
  /** Extra files. @default [] */
  files?: readonly ImageFileInput[];
  /** `cis-l1`: CIS Debian 12 Level 1 items that fit an appliance plus the dev-sec SSH baseline. @default "cis-l1" */
  hardening?: "cis-l1" | "minimal";
  /** SSH access. @default { port: 22, allowFrom: ["0.0.0.0/0", "::/0"], rateLimitPerMinute: 10 } */
  ssh?: {
    /** @default 22 */
    port?: number;
    /**
     * Source addresses (CIDR) allowed to connect.
     * @default ["0.0.0.0/0", "::/0"]
     * @example ["198.51.100.0/24"]
     */
    allowFrom?: readonly string[];
    /** New connections per minute per source. @default 10 */
    rateLimitPerMinute?: number;
  };
  /** EC2 builder (AWS target): the temporary instance that builds the image, and the one that smoke-tests it. @default { instanceType: "t3.small" } */
  builder?: {
    /** @default "t3.small" */
    instanceType?: string;
    /** An instance profile of yours for both instances; rtcgw then creates no role. It needs AmazonSSMManagedInstanceCore (and `s3:PutObject` on the bucket's `logs/*` for full command logs). @default a temporary `rtcgw-build-<id>` profile */
    instanceProfile?: string;
    /**
     * The subnet both instances start in, e.g. `"subnet-0123456789abcdef0"`, in the region the image is built in; the
     * security group is made in its VPC. It needs outbound internet access for apt, the SSM agent's download and SSM
     * itself: a public subnet that assigns public IPv4 addresses, or a private one with a NAT gateway.
     * @default a default subnet of the region's default VPC (pre-flight fails when the account has no default VPC)
     */
    subnetId?: string;
  };
  /** Root volume. @default { sizeGiB: 8, encrypted: false } */
  disk?: {
    /** @default 8 */
    sizeGiB?: number;
    /** Encrypted EBS snapshots (not allowed for public AMIs). @default false */
    encrypted?: boolean;
  };
}

/** How the AMI is shared and announced. */
export interface PublishInput {
  /** `public`, or a list of AWS account IDs. @default "private" */
  visibility?:
    | "public"
    | "private"
    | {
        /** 12-digit AWS account IDs. */
        accounts: readonly string[];
      };
  /** SSM parameter prefix for AMI IDs. @default "/rtcgw" */
  ssmPrefix?: string;
  /** Static go page with Launch links. @default { title: "rtcgw — WebRTC to SIP gateway" } */
  goPage?:
    | false
    | {
        /** @default "rtcgw — WebRTC to SIP gateway" */
        title?: string;
      };
  /** Deprecate the AMI after this long. @default "730d" */
  deprecateAfter?: DurationInput;
}

/** A whole recipe. */
export interface RecipeInput<Upstream extends string = string> {
  /** JSON and YAML recipes: the JSON Schema their editor validates them with (`rtcgw schema --out FILE`); ignored. */
  $schema?: string;
  /** Recipe name; names the image and the build. Lowercase letters, digits and `-`. */
  name: string;
  /** @default "0.1.0" */
  version?: string;
  /** What runs on the appliance: domains, upstreams, listeners, rules, dial plan, security. Required. */
  gateway: GatewayInput<Upstream>;
  /** @default see each field */
  image?: ImageInput;
  /**
   * AWS regions (one partition; opt-in regions must be enabled in the account), or every region enabled in the account.
   * @default ["us-east-1"]
   * @example ["us-east-1", "eu-central-1"]
   */
  regions?: readonly string[] | "all-enabled";
  /** @default see each field */
  publish?: PublishInput;
}
