import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRecipe } from "../../dsl/parse.ts";
import { checkMeasuredCapacity } from "../../dsl/rules/capacity.ts";
import { findCallCapacity, measuredCapacity, parseMeasuredCapacity, type MeasuredCapacity } from "../../dsl/measured-capacity.ts";
import { copyDefaultRecipe } from "./recipe-variants.ts";
import { replacesRecordedFigure } from "../../bench/capacity-file.ts";

const figure = (value: number, limitFound = true) => ({
  value,
  limitFound,
  measuredAt: "2026-12-02T09:30:00Z",
  command: "npx tsx bench/webrtc.ts",
  loadAverage: 0.8,
});
const measured: MeasuredCapacity = {
  configurations: [{ machine: "2 cores (test)", cores: 2, figures: { callsWithMedia: figure(500), webrtcCalls: figure(400) } }],
};

function recipeWithCalls(parallelCalls: number, rtp = "10000-19999") {
  const recipe = copyDefaultRecipe();
  recipe.gateway.capacity = { parallelCalls };
  recipe.gateway.listen.rtp = rtp;
  const parsed = parseRecipe(recipe);
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.problems.map((p) => p.message).join("\n"));
  return parsed.recipe;
}

test("a capacity target above the measured WebRTC-leg calls warns and names the figure, its date and command", () => {
  const problems = checkMeasuredCapacity(recipeWithCalls(401), measured);
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.severity, "warning");
  assert.equal(problems[0]!.path, "gateway.capacity.parallelCalls");
  assert.equal(
    problems[0]!.message,
    "401 calls per instance is more than measured: 400 parallel WebRTC-leg calls (ICE, DTLS-SRTP, PCMU) on 2 cores, measured 2026-12-02 by `npx tsx bench/webrtc.ts` (load average 0.8) (docs/PERFORMANCE.md); calls beyond it may lose audio: lower it, or run several instances (the cluster template)",
  );
  assert.deepEqual(checkMeasuredCapacity(recipeWithCalls(400), measured), []);
});

test("a lower bound says so, and calls with media stand in when WebRTC calls were not measured", () => {
  const lowerBound: MeasuredCapacity = { configurations: [{ machine: "m", cores: 2, figures: { callsWithMedia: figure(300, false) } }] };
  assert.match(
    checkMeasuredCapacity(recipeWithCalls(350), lowerBound)[0]!.message,
    /more than measured: ≥ 300 parallel calls with G\.711 media through rtpengine on 2 cores/,
  );
  assert.deepEqual(checkMeasuredCapacity(recipeWithCalls(2500), { configurations: [] }), [], "nothing measured, nothing to warn about");
});

test("a codec policy that transcodes every call is held to the transcoded-calls figure, not the WebRTC-leg one", () => {
  const withTranscoded: MeasuredCapacity = {
    configurations: [{ machine: "2 cores (test)", cores: 2, figures: { ...measured.configurations[0]!.figures, transcodedCalls: figure(60) } }],
  };
  const transcoding = (parallelCalls: number) => {
    const recipe = recipeWithCalls(parallelCalls);
    recipe.gateway.rules.codecs = { webrtc: ["opus"], sip: ["PCMU"] };
    return recipe;
  };
  assert.match(
    checkMeasuredCapacity(transcoding(61), withTranscoded)[0]!.message,
    /^61 calls per instance is more than measured: 60 parallel WebRTC calls transcoded Opus ↔ PCMU on 2 cores/,
  );
  assert.deepEqual(checkMeasuredCapacity(transcoding(60), withTranscoded), []);
  // The default policy shares G.711 with the SIP side: rtpengine passes it through, the WebRTC-leg figure applies.
  assert.deepEqual(checkMeasuredCapacity(recipeWithCalls(61), withTranscoded), []);
  assert.deepEqual(checkMeasuredCapacity(transcoding(61), measured), [], "transcoded calls not measured: no other figure stands in");
});

test("the largest measured machine counts", () => {
  const two: MeasuredCapacity = { configurations: [measured.configurations[0]!, { machine: "8 cores", cores: 8, figures: { webrtcCalls: figure(1600) } }] };
  assert.deepEqual(checkMeasuredCapacity(recipeWithCalls(1000), two), []);
  assert.equal(findCallCapacity(two)?.configuration.cores, 8);
});

test("while the RTP range cannot hold the target, only that error is reported", () => {
  const recipe = copyDefaultRecipe();
  recipe.gateway.capacity = { parallelCalls: 600 };
  const parsed = parseRecipe(recipe);
  assert.equal(parsed.ok, false);
  assert.deepEqual(parsed.ok ? [] : parsed.problems.map((p) => `${p.severity} ${p.path}`), ["error gateway.listen.rtp"]);
});

test("parseRecipe reports the warning from the shipped measurements without failing the recipe", () => {
  const shipped = findCallCapacity(measuredCapacity);
  assert.ok(shipped, "dsl/measured-capacity.json holds a calls figure");
  const above = shipped.figure.value + 1;
  const parsed = parseRecipe({
    ...copyDefaultRecipe(),
    gateway: {
      ...copyDefaultRecipe().gateway,
      capacity: { parallelCalls: above },
      listen: { ...copyDefaultRecipe().gateway.listen, rtp: `10000-${10000 + 4 * above}` },
    },
  });
  assert.ok(parsed.ok);
  assert.deepEqual(
    parsed.warnings.map((w) => w.path),
    ["gateway.capacity.parallelCalls"],
  );
});

test("a hand-broken capacity file is refused with what is wrong and how to fix it", () => {
  assert.throws(
    () => parseMeasuredCapacity({ configurations: [{ machine: "m", cores: 2, figures: { webrtcCals: figure(1) } }] }, "x.json"),
    /^Error: x\.json: configurations\.0\.figures.*re-run the benchmarks/,
  );
  assert.throws(() => parseMeasuredCapacity({ configurations: [{ machine: "m", cores: 0, figures: {} }] }, "x.json"), /x\.json: configurations\.0\.cores/);
});

test("a benchmark's lower bound below the recorded figure leaves it; a found limit or a higher value replaces it", () => {
  const recorded = figure(200);
  assert.equal(replacesRecordedFigure(recorded, { value: 50, limitFound: false, loadAverage: 1 }), false, "≥ 50 says nothing new about 200");
  assert.equal(replacesRecordedFigure(recorded, { value: 100, limitFound: true, loadAverage: 1 }), true, "a limit found lower replaces it");
  assert.equal(replacesRecordedFigure(recorded, { value: 300, limitFound: false, loadAverage: 1 }), true);
  assert.equal(replacesRecordedFigure(undefined, { value: 50, limitFound: false, loadAverage: 1 }), true);
});
