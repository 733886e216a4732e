// The appliance agent's entry point, bundled to /usr/lib/rtcgw/agent.mjs for Debian 13's nodejs:
//   agent.mjs firstboot   (rtcgw-firstboot.service, every boot, before Kamailio and rtpengine; --imds-wait SECONDS)
//   agent.mjs serve       (rtcgw-admin.service: admin UI, /tryit/, WSS proxy, metrics)
// Flags override the appliance defaults; tests and the local image use them.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { AgentConfig } from "./agent-config.ts";
import { installPaths, runtimePaths } from "./contract.ts";
import { runFirstBoot } from "./firstboot/run-first-boot.ts";
import { runAdminService } from "./admin/run-admin-service.ts";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    root: { type: "string", default: "/" },
    config: { type: "string" },
    imds: { type: "string", default: process.env.RTCGW_IMDS_ENDPOINT ?? "http://169.254.169.254" },
    "imds-wait": { type: "string", default: "0" },
    "ssm-endpoint": { type: "string", default: process.env.RTCGW_SSM_ENDPOINT },
    "cloudwatch-endpoint": { type: "string", default: process.env.RTCGW_CLOUDWATCH_ENDPOINT },
    "tls-cert": { type: "string" },
    "tls-key": { type: "string" },
    "password-hash": { type: "string" },
    assets: { type: "string" },
    "listen-address": { type: "string" },
    "listen-port": { type: "string" },
    "kamailio-port": { type: "string" },
    "rtpengine-port": { type: "string" },
  },
});

const root = values.root!;
const config = JSON.parse(await readFile(values.config ?? join(root, installPaths.config), "utf8")) as AgentConfig;
const log = (line: string) => console.log(line);

if (positionals[0] === "firstboot") {
  await runFirstBoot({
    root,
    config,
    imdsEndpoint: values.imds!,
    imdsWaitMs: Number(values["imds-wait"]) * 1000,
    ...(values["ssm-endpoint"] ? { ssmEndpoint: values["ssm-endpoint"] } : {}),
    log,
  });
} else if (positionals[0] === "serve") {
  const https = await runAdminService({
    root,
    config,
    tlsCertPath: values["tls-cert"] ?? join(root, runtimePaths.tlsCertificate),
    tlsKeyPath: values["tls-key"] ?? join(root, runtimePaths.tlsKey),
    passwordHashPath: values["password-hash"] ?? join(root, runtimePaths.adminPasswordHash),
    assetsDirectory: values.assets ?? join(root, installPaths.tryit),
    ...(values["listen-port"] ? { listen: { address: values["listen-address"] ?? config.https.address, port: Number(values["listen-port"]) } } : {}),
    ...(values["kamailio-port"] ? { kamailioPort: Number(values["kamailio-port"]) } : {}),
    ...(values["rtpengine-port"] ? { rtpenginePort: Number(values["rtpengine-port"]) } : {}),
    ...(values["cloudwatch-endpoint"] ? { cloudwatchEndpoint: values["cloudwatch-endpoint"] } : {}),
    log,
  });
  const stop = () => void https.close().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
} else {
  console.error("usage: agent.mjs firstboot|serve [--root DIR] [--config FILE] …");
  process.exitCode = 2;
}
