// What one gateway instance was measured to carry: the benchmarks write dsl/measured-capacity.json (per measured
// machine: calls with media, WebRTC-leg calls, transcoded calls, call rates, each with its date, command and load).
// `rtcgw check` warns when a recipe asks for more calls than measured; the go page and the templates quote it.
import { z } from "zod";
import data from "./measured-capacity.json" with { type: "json" };

/** The figures a benchmark can measure, and how each is said to a user. */
export const capacityFigureLabels = {
  callsWithMedia: "parallel calls with G.711 media through rtpengine",
  webrtcCalls: "parallel WebRTC-leg calls (ICE, DTLS-SRTP, PCMU)",
  transcodedCalls: "parallel WebRTC calls transcoded Opus ↔ PCMU",
  webrtcSetupsPerSecond: "WebRTC call setups per second (ICE + DTLS handshake)",
  signallingCps: "calls per second, signalling only",
  anchoredCps: "calls per second, media anchored by rtpengine",
} as const;

/** A figure's name. */
export type CapacityFigureName = keyof typeof capacityFigureLabels;

const figureSchema = z.strictObject({
  value: z.number().nonnegative(),
  /** False when every step the benchmark tried was clean: the value is a lower bound, not the limit. */
  limitFound: z.boolean(),
  measuredAt: z.iso.datetime(),
  command: z.string().min(1),
  loadAverage: z.number().nonnegative(),
});

const capacitySchema = z.strictObject({
  configurations: z.array(
    z.strictObject({
      /** What was measured on: cores, CPU, where the load generator ran. */
      machine: z.string().min(1),
      cores: z.int().min(1),
      figures: z.partialRecord(z.enum(Object.keys(capacityFigureLabels) as [CapacityFigureName, ...CapacityFigureName[]]), figureSchema),
    }),
  ),
});

/** One measured figure. */
export type MeasuredFigure = z.infer<typeof figureSchema>;
/** Every measured configuration. */
export type MeasuredCapacity = z.infer<typeof capacitySchema>;
/** One measured machine configuration. */
export type MeasuredConfiguration = MeasuredCapacity["configurations"][number];

// Validates capacity data (the committed file, or what a benchmark is about to write); a broken file names what is wrong.
export function parseMeasuredCapacity(value: unknown, source = "dsl/measured-capacity.json"): MeasuredCapacity {
  const parsed = capacitySchema.safeParse(value);
  if (!parsed.success)
    throw new Error(
      `${source}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}; re-run the benchmarks (docs/PERFORMANCE.md) to rewrite it`,
    );
  return parsed.data;
}

/** The measurements shipped with this version of rtcgw. */
export const measuredCapacity: MeasuredCapacity = parseMeasuredCapacity(data);

/** The figure that bounds calls per instance, with the machine it was measured on. */
export interface CallCapacity {
  name: CapacityFigureName;
  figure: MeasuredFigure;
  configuration: MeasuredConfiguration;
}

// Whether every call is transcoded: the codec policy leaves no codec both sides take (rtpengine passes a common
// codec through; browsers offer G.711 besides Opus, so with the default policy calls are not transcoded).
export function everyCallTranscodes(codecs: { webrtc: readonly string[]; sip: readonly string[] }): boolean {
  return !codecs.webrtc.some((codec) => codecs.sip.includes(codec));
}

// Calls one instance carries, on the largest measured machine: transcoded calls when every call is transcoded (and
// nothing when those were not measured: the other figures would promise far more), else WebRTC-leg calls where
// measured, else calls with media.
export function findCallCapacity(capacity: MeasuredCapacity = measuredCapacity, options: { transcoding?: boolean } = {}): CallCapacity | undefined {
  const names: CapacityFigureName[] = options.transcoding ? ["transcodedCalls"] : ["webrtcCalls", "callsWithMedia"];
  const largest = [...capacity.configurations].sort((a, b) => b.cores - a.cores);
  for (const configuration of largest) {
    for (const name of names) {
      const figure = configuration.figures[name];
      if (figure) return { name, figure, configuration };
    }
  }
  return undefined;
}

// "≥ 400 parallel WebRTC-leg calls (…) on 2 cores, measured 2026-12-02 by `npx tsx bench/webrtc.ts` (load 1.2)".
export function describeMeasuredFigure(name: CapacityFigureName, figure: MeasuredFigure, configuration: MeasuredConfiguration): string {
  return `${figure.limitFound ? "" : "≥ "}${figure.value} ${capacityFigureLabels[name]} on ${configuration.cores} cores, measured ${figure.measuredAt.slice(0, 10)} by \`${figure.command}\` (load average ${figure.loadAverage.toFixed(1)})`;
}
