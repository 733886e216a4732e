// Benchmark (not a test): sipp through the compiled gateway on loopback, beside the reference
// product's published capacity. Run: `npx tsx bench/gateway.ts` (add `--quick` for a short run).
import { buildE2eRecipe } from "../test/e2e/e2e-recipe.ts";
import { startGatewayStack } from "../test/harness/gateway-stack.ts";
import { runLoad, type LoadResult } from "./gateway-load.ts";

const quick = process.argv.includes("--quick");
const seconds = quick ? 3 : 10;

// Loopback recipe with a flood limit that a load test does not trip; 4 SIP workers per socket.
const recipe = buildE2eRecipe((r) => (r.gateway.security.flood = { requests: 100000, window: "1s", ban: "1s" }));
const stack = await startGatewayStack(recipe, { rtpPortCount: 4000, logLevel: 0, sharedMemoryMb: 512, gatewayDefines: { WORKERS: 4 } });
const rows: string[][] = [];
try {
  for (const rate of quick ? [500, 1000] : [250, 500, 1000, 1500]) {
    rows.push(row("signalling only", await runLoad(stack, { kind: "signalling", rate, calls: rate * seconds }), "40 CPS (m3.xlarge), 500 CPS (c3.8xlarge)"));
  }
  for (const rate of quick ? [100, 300] : [100, 200, 300, 400]) {
    rows.push(row("rtpengine anchored", await runLoad(stack, { kind: "anchored", rate, calls: rate * seconds }), "—"));
  }
} finally {
  await stack.stop();
}
printTable(["calls", "offered CPS", "achieved CPS", "successful", "failed", "retrans", "reference"], rows);

function row(kind: string, result: LoadResult, reference: string): string[] {
  return [kind, String(result.rate), result.cps.toFixed(1), String(result.successful), String(result.failed), String(result.retransmissions), reference];
}

function printTable(header: string[], body: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log([line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...body.map(line)].join("\n"));
}
