// fast-check arbitraries for recipe inputs across the whole schema: SIP ranges and transports, TLS and WS listeners,
// ports, RTP ranges, one to three upstreams (UDP/TCP/TLS, host names and addresses, pinned CA or opt-out), dial plans
// (default or generated: conference, music, prefixes, rejects, catch-all), rules, hardening profiles, SSH, metrics.
// Not every generated recipe is valid (overlapping ports, shadowed routes): the property keeps the ones check accepts.
import fc from "fast-check";

/** The domain every generated recipe serves (the browsers register in it). */
export const generatedDomain = "pbx.test";

const subsetOf = <T>(items: readonly T[]) => fc.subarray([...items], { minLength: 1 });

// A recipe input; `ca` is the PEM a TLS upstream may pin.
export function recipeInputArbitrary(ca: string): fc.Arbitrary<Record<string, unknown>> {
  const listen = fc.record({
    sipFrom: fc.integer({ min: 5060, max: 5070 }),
    sipCount: fc.integer({ min: 1, max: 3 }),
    transports: subsetOf(["udp", "tcp"] as const),
    tls: fc.option(fc.constantFrom(5081, 7061), { nil: undefined }),
    wss: fc.constantFrom(443, 8443, 9443),
    ws: fc.option(fc.constantFrom(8080, 8081), { nil: undefined }),
    rtpFrom: fc.constantFrom(10000, 20000, 30000),
    rtpSize: fc.integer({ min: 40, max: 1200 }),
    control: fc.constantFrom(2223, 2224),
  });
  return listen.chain((l) => {
    const transports: string[] = [...l.transports, ...(l.tls ? ["tls"] : [])];
    const upstream = (index: number) =>
      fc
        .record({
          transport: fc.constantFrom(...transports),
          byName: fc.boolean(),
          port: fc.option(fc.integer({ min: 5060, max: 5099 }), { nil: undefined }),
          verify: fc.boolean(),
        })
        .map((u) => ({
          name: `pbx${index}`,
          host: u.byName ? `pbx${index}.example.com` : `192.0.2.${10 + index}`,
          ...(u.port ? { port: u.port } : {}),
          transport: u.transport,
          ...(u.byName ? { allowFrom: [`192.0.2.${10 + index}/32`] } : {}),
          ...(u.transport === "tls" ? { tls: u.verify ? { ca } : { verify: false } } : {}),
        }));
    const upstreams = fc.integer({ min: 1, max: 3 }).chain((count) => fc.tuple(...Array.from({ length: count }, (_, i) => upstream(i))));
    return fc
      .record({
        upstreams,
        dialPlan: fc.option(dialPlanArbitrary(), { nil: undefined }),
        rules: fc.subarray([
          { kind: "strip-video" },
          { kind: "max-call-duration", limit: "90s" },
          { kind: "codec-policy", webrtc: ["opus", "PCMU"], sip: ["PCMA", "PCMU"] },
        ]),
        hardening: fc.constantFrom("cis-l1", "minimal"),
        ssh: fc.record({
          port: fc.constantFrom(22, 2222),
          allowFrom: fc.constantFrom(["0.0.0.0/0", "::/0"], ["198.51.100.0/24"], ["203.0.113.7/32", "2001:db8::/32"]),
        }),
        metrics: fc.boolean(),
        media: fc.constantFrom(5090, 5091),
      })
      .map((r) => {
        const names = r.upstreams.map((u) => u.name);
        return {
          name: "generated",
          gateway: {
            domains: [generatedDomain],
            upstreams: r.upstreams,
            listen: {
              sip: { ports: `${l.sipFrom}-${l.sipFrom + l.sipCount - 1}`, transports: l.transports },
              ...(l.tls ? { tls: { port: l.tls } } : {}),
              wss: { port: l.wss },
              ...(l.ws ? { ws: { port: l.ws } } : {}),
              rtp: `${l.rtpFrom}-${l.rtpFrom + l.rtpSize - 1}`,
              rtpengineControl: l.control,
            },
            rules: r.rules,
            ...(r.dialPlan
              ? {
                  dialPlan: r.dialPlan
                    .map((route) => (route.kind === "upstream" ? { ...route, upstream: names[route.target % names.length] } : route))
                    .map(({ target: _, ...route }) => route),
                }
              : {}),
            media: { port: r.media },
            capacity: { parallelCalls: Math.max(1, Math.floor(l.rtpSize / 4)) },
            metrics: r.metrics,
          },
          image: { hardening: r.hardening, ssh: r.ssh },
          regions: ["us-east-1"],
        };
      });
  });
}

type GeneratedRoute = { kind: string; pattern?: string; status?: number; target: number };

// Ordered routes: optional conference and music first, some prefix routes, an optional catch-all last.
function dialPlanArbitrary(): fc.Arbitrary<GeneratedRoute[]> {
  const prefix = fc.constantFrom("^9", "^00", "^0", "^[1-5]", "^\\+49", "^\\+", "^1[0-9]{3}$", "^[0-9]{4}$", "^2", "7$", "^(8|6)");
  const route = fc
    .record({ kind: fc.constantFrom("upstream", "upstream", "reject"), pattern: prefix, status: fc.constantFrom(403, 404, 480, 603), target: fc.nat(2) })
    .map((r): GeneratedRoute =>
      r.kind === "reject" ? { kind: "reject", pattern: r.pattern, status: r.status, target: 0 } : { kind: "upstream", pattern: r.pattern, target: r.target },
    );
  return fc
    .record({
      conference: fc.boolean(),
      music: fc.boolean(),
      routes: fc.array(route, { maxLength: 4 }),
      catchAll: fc.option(fc.nat(2), { nil: undefined }),
    })
    .map((p) => [
      ...(p.conference ? [{ kind: "conference", target: 0 }] : []),
      ...(p.music ? [{ kind: "music", target: 0 }] : []),
      ...p.routes,
      ...(p.catchAll !== undefined ? [{ kind: "upstream", pattern: ".*", target: p.catchAll }] : []),
    ])
    .filter((routes) => routes.length > 0);
}
