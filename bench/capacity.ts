// Benchmark (not a test): every capacity benchmark in a row, each writing its figures to dsl/measured-capacity.json —
// the one command to refresh the capacity the go page, the templates and `rtcgw check` quote. Run it on a quiet
// machine: `nice npx tsx bench/capacity.ts` (about 25 minutes; `--quick --no-capacity` for a 5–10 minute check that
// the tools work without rewriting the figures).
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";

const quick = process.argv.includes("--quick");
const runs: string[][] = quick
  ? [
      ["bench/gateway-media.ts", "--quick"],
      ["bench/webrtc.ts", "--quick"],
      ["bench/gateway.ts", "--quick"],
    ]
  : [
      ["bench/gateway-media.ts"],
      ["bench/webrtc.ts", "--record=webrtcCalls,transcodedCalls"],
      ["bench/webrtc.ts", "--calls=200", "--rate=50,100,200,400", "--seconds=3", "--gateways=rtcgw", "--codecs=PCMU", "--record=webrtcSetupsPerSecond"],
      ["bench/gateway.ts"],
    ];

// Flags every benchmark understands pass through (--no-capacity: check the tools without rewriting the figures).
const passed = process.argv.slice(2).filter((a) => a === "--no-capacity");
for (const run of runs) {
  const args = [...run, ...passed];
  console.log(
    `\n=== npx tsx ${args.join(" ")} (load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")})`,
  );
  const result = spawnSync(process.execPath, ["--import", "tsx", ...args], { stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`${args[0]} failed (${result.status ?? result.signal}): the figures it would have written are missing`);
    process.exit(1);
  }
}
