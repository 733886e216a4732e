// Reads from a built rootfs what the smoke test needs to know: the TLS files Kamailio expects (made
// at first boot on the appliance, so the smoke test supplies throwaway ones) and rtpengine's ng port.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** What the smoke test reads from the image. */
export interface ImageServiceConfig {
  /** Absolute paths inside the image. */
  tls: { certificate?: string; privateKey?: string };
  ng: { host: string; port: number };
}

// TLS file paths from a Kamailio `tls.cfg` or from `modparam("tls", "certificate"|"private_key", …)` in
// kamailio.cfg, with a value or a `#!trydef`/`#!define` name.
export function findTlsFiles(tlsCfg: string, kamailioCfg: string): ImageServiceConfig["tls"] {
  const tls: ImageServiceConfig["tls"] = {};
  let section = "";
  for (const raw of tlsCfg.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) section = header[1]!;
    const entry = /^(certificate|private_key)\s*=\s*(\S+)/.exec(line);
    if (entry && section.startsWith("server:")) tls[entry[1] === "certificate" ? "certificate" : "privateKey"] ??= entry[2]!;
  }
  const defines = new Map<string, string>();
  for (const match of kamailioCfg.matchAll(/^#!(?:trydef|define)\s+(\w+)\s+"?([^"\n]*?)"?\s*$/gm)) if (!defines.has(match[1]!)) defines.set(match[1]!, match[2]!);
  for (const match of kamailioCfg.matchAll(/modparam\(\s*"tls"\s*,\s*"(certificate|private_key)"\s*,\s*(?:"([^"]+)"|(\w+))\s*\)/g)) {
    const value = match[2] ?? defines.get(match[3]!);
    if (value) tls[match[1] === "certificate" ? "certificate" : "privateKey"] ??= value;
  }
  return tls;
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

// Reads both from the rootfs at `rootDir`.
export function readImageServiceConfig(rootDir: string): ImageServiceConfig {
  const read = (path: string) => (existsSync(join(rootDir, path)) ? readFileSync(join(rootDir, path), "utf8") : "");
  const kamailioCfg = read("etc/kamailio/kamailio.cfg");
  // Kamailio reads a tls.cfg only when the `config` modparam names one.
  const tlsCfgPath = /modparam\(\s*"tls"\s*,\s*"config"\s*,\s*"([^"]+)"/.exec(kamailioCfg)?.[1];
  return { tls: findTlsFiles(tlsCfgPath ? read(tlsCfgPath.slice(1)) : "", kamailioCfg), ng: findNgListen(read("etc/rtpengine/rtpengine.conf")) };
}
