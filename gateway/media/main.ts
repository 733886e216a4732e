// Entry point of the bundled service (`node media-service.mjs --port 5090 --room-limit 50`), run by systemd.
import process from "node:process";
import { readMediaSettings } from "./settings.ts";
import { startMediaService } from "./server.ts";

const read = readMediaSettings(process.argv.slice(2), process.env);
if (!read.ok) {
  console.error(read.error);
  process.exit(2);
}
const service = await startMediaService(read.settings);
const shutdown = (signal: string) => {
  console.log(`${signal}: stopping`);
  void service.stop().then(() => process.exit(0));
};
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
// `systemctl kill -s USR2 rtcgw-media` (and the benchmark) print the counters as one JSON line; `window` holds the
// frame-clock figures since the previous USR2.
process.on("SIGUSR2", () => console.log(JSON.stringify({ stats: service.stats(), window: service.takeClockWindow() })));
