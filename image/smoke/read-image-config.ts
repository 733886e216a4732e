// Reads from a built rootfs what the smoke test needs to know: rtpengine's ng port.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** What the smoke test reads from the image. */
export interface ImageServiceConfig {
  ng: { host: string; port: number };
}

// rtpengine's ng listener from rtpengine.conf (`listen-ng = [host:]port` in the [rtpengine] section).
export function findNgListen(conf: string): ImageServiceConfig["ng"] {
  let section = "";
  for (const raw of conf.split("\n")) {
    const line = raw.replace(/[#;].*/, "").trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) section = header[1]!;
    const entry = /^listen-ng\s*=\s*(\S+)/.exec(line);
    if (entry && section === "rtpengine") {
      const value = entry[1]!;
      const colon = value.lastIndexOf(":");
      const host = colon < 0 ? "127.0.0.1" : value.slice(0, colon).replace(/^\[|\]$/g, "");
      return { host: host === "localhost" ? "127.0.0.1" : host, port: Number(colon < 0 ? value : value.slice(colon + 1)) };
    }
  }
  return { host: "127.0.0.1", port: 2223 };
}

// Reads it from the rootfs at `rootDir`.
export function readImageServiceConfig(rootDir: string): ImageServiceConfig {
  const path = join(rootDir, "etc/rtpengine/rtpengine.conf");
  return { ng: findNgListen(existsSync(path) ? readFileSync(path, "utf8") : "") };
}
