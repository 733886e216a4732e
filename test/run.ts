// Runs every test file under test/ (found here, listed explicitly: Node 20's runner finds no .ts
// files in a directory) and fails when no test ran. `npm test -- dsl gateway/kamailio` runs the files
// whose path contains any of the given words.
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { run } from "node:test";
import { spec } from "node:test/reporters";
import process from "node:process";
import { ensureImageTools } from "./harness/image-tools.ts";

const root = new URL(".", import.meta.url).pathname;

function listTestFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === "fixtures" ? [] : listTestFiles(path);
      return entry.name.endsWith(".test.ts") ? [path] : [];
    })
    .sort();
}

const filters = process.argv.slice(2);
const files = listTestFiles(root).filter((file) => filters.length === 0 || filters.some((f) => relative(root, file).includes(f)));
if (files.length === 0) {
  console.error(`no test files matched ${filters.join(" ") || "test/**/*.test.ts"}`);
  process.exit(1);
}

// The gateway's programs as the image runs them (its Debian release's Kamailio and rtpengine), unless the caller
// chose others or RTCGW_HOST_TOOLS=1 asks for this machine's. Test files inherit the environment.
if (!process.env.RTCGW_HOST_TOOLS && !(process.env.RTCGW_KAMAILIO && process.env.RTCGW_RTPENGINE)) {
  try {
    const tools = ensureImageTools();
    process.env.RTCGW_KAMAILIO ??= tools.kamailio;
    process.env.RTCGW_RTPENGINE ??= tools.rtpengine;
    console.log(
      `Kamailio ${tools.versions.kamailio} and rtpengine ${tools.versions.rtpengine}: the image's (${tools.kamailio}, ${tools.rtpengine}); RTCGW_HOST_TOOLS=1 runs this machine's`,
    );
  } catch (error) {
    console.error(`cannot run the image's Kamailio and rtpengine: ${(error as Error).message}`);
    process.exit(1);
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
// A cap per file against hangs, not a budget: test/image/boot-disk.test.ts builds a disk and boots it three times
// under TCG (UEFI, BIOS, the negative test's UEFI), 9–10 min at load 1–2 but 19 min with the 2 cores at load 9.
const stream = run({ files, concurrency: Number(process.env.RTCGW_TEST_CONCURRENCY ?? 1), timeout: 25 * 60_000 });
stream.on("test:pass", (event) => {
  if (event.details.type === "suite") return;
  if (event.skip || event.todo) skipped++;
  else passed++;
});
stream.on("test:fail", (event) => {
  if (event.details.type !== "suite") failed++;
});
stream.compose(new spec()).pipe(process.stdout);
stream.on("end", () => {
  console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
  if (passed === 0) console.error("no test ran: that is a failure");
  if (skipped > 0) console.error("a skipped test is a failure here: a missing tool must be installed, not skipped");
  process.exitCode = failed > 0 || skipped > 0 || passed === 0 ? 1 : 0;
});
