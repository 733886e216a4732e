// The compiled kamailio.cfg is accepted by the real Kamailio (`kamailio -c`) and starts on loopback,
// for the default recipe and its main variants.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Recipe } from "../../dsl/resolve.ts";
import { buildTestRecipe, loopbackGatewayDefines, writeKamailioConfig } from "../harness/gateway-config.ts";
import { checkKamailioConfig, startKamailio } from "../harness/kamailio.ts";
import { tail } from "../harness/start-process.ts";
import { stopAllProcesses } from "../harness/start-process.ts";
import { createSelfSignedCertificate } from "../harness/tls-certificate.ts";

const workDir = mkdtempSync(join(tmpdir(), "rtcgw-kamailio-"));
const tls = createSelfSignedCertificate(workDir);
after(async () => {
  await stopAllProcesses();
  rmSync(workDir, { recursive: true, force: true });
});

const variants: Record<string, Recipe> = {
  "default recipe": buildTestRecipe(),
  "tls on": buildTestRecipe((r) => ((r.gateway.listen.tls = { port: 5061 }), (r.gateway.listen.sip.ports = "5070-5071"))),
  "ws on": buildTestRecipe((r) => (r.gateway.listen.ws = { port: 8080 })),
  "no strip-video, no max duration, no metrics": buildTestRecipe((r) => {
    r.gateway.rules = [{ kind: "codec-policy", webrtc: ["opus", "PCMU"], sip: ["PCMA"] }];
    r.gateway.metrics = false;
  }),
  "several upstreams and a reject route": buildTestRecipe((r) => {
    r.gateway.upstreams = [
      { name: "pbx", host: "pbx.example.com", port: 5060, transport: "udp", allowFrom: ["192.0.2.10/32", "198.51.100.0/24"] },
      { name: "carrier", host: "203.0.113.5", transport: "tcp" },
      { name: "backup", host: "backup.example.com", transport: "tls" },
    ];
    r.gateway.listen.tls = { port: 5081 };
    r.gateway.domains = ["pbx.example.com", "example.org"];
    r.gateway.dialPlan = [
      { kind: "conference", pattern: "^\\*([0-9]{8})$" },
      { kind: "reject", pattern: "^900", status: 603 },
      { kind: "upstream", pattern: "^00", upstream: "carrier" },
      { kind: "upstream", pattern: "^9", upstream: "backup" },
      { kind: "upstream", pattern: ".*", upstream: "pbx" },
    ];
    r.gateway.security.scanners = [];
  }),
};

for (const [name, recipe] of Object.entries(variants)) {
  describe(`kamailio.cfg, ${name}`, () => {
    const configPath = writeKamailioConfig(recipe, join(workDir, name.replace(/[^a-z0-9]+/g, "-")));

    test("passes `kamailio -c -f`", () => {
      const result = checkKamailioConfig(configPath);
      assert.equal(result.status, 0, result.output);
    });

    test("starts on loopback and runs until stopped by PID", async () => {
      const { defines, ports } = await loopbackGatewayDefines(recipe, tls);
      const gateway = await startKamailio("gateway", configPath, join(workDir, name.replace(/[^a-z0-9]+/g, "-")), {
        defines,
        ready: { address: "127.0.0.1", port: ports.sip[0]! },
      });
      assert.ok(gateway.isAlive(), tail(gateway.logPath));
      await gateway.stop();
      assert.equal(gateway.isAlive(), false);
    });
  });
}
