// The fake cloud's answer to probes from outside (cloud/probe-gateway-from-outside.ts): an instance of an image registered
// from a disk, running for `timings.gatewayReadyMs`, reached at its public address through a security group that admits
// the port from anywhere, answers SIP OPTIONS and HTTPS (401 without the login, 200 with the instance id as its password)
// when its image serves (`faults.registeredImagesServe`); anything else times out, as a packet to nowhere would.
import type { GatewayProbePort, ProbeCheck } from "../../../cloud/ports.ts";
import { instanceState } from "./fake-ec2.ts";
import type { FakeContext } from "./fake-state.ts";

// The probe port of the fake cloud.
export function createFakeProbe(ctx: FakeContext): GatewayProbePort {
  const { state, timings, clock } = ctx;
  return {
    async probe(target) {
      const instance = state.instances.find((i) => i.region === target.region && i.instanceId === target.instanceId && i.publicIp === target.address);
      const image = instance && state.images.find((i) => i.imageId === instance.imageId);
      const group = instance && state.securityGroups.find((g) => g.groupId === instance.securityGroupId && !g.deleted);
      const admits = (protocol: "udp" | "tcp", port: number) =>
        Boolean(group?.ingress?.some((r) => r.protocol === protocol && r.from <= port && port <= r.to && r.cidrs.includes("0.0.0.0/0")));
      const up =
        instance !== undefined &&
        instanceState(ctx, instance) === "running" &&
        clock.now() >= instance.launchedAt + timings.instanceBootMs + timings.gatewayReadyMs &&
        Boolean(image?.registered && image.provisioned);
      const silent = (name: string, port: number): ProbeCheck => ({ name, ok: false, detail: `no answer from ${target.address}:${port} within 10000 ms` });
      const sip = "kamailio answers SIP OPTIONS over UDP";
      const login = "HTTPS / asks for the admin login (401)";
      const admin = "HTTPS / lets the admin in with the instance id (200)";
      if (!up || !admits("tcp", target.httpsPort))
        return [
          up && admits("udp", target.sipPort) ? { name: sip, ok: true, detail: "SIP/2.0 200 OK" } : silent(sip, target.sipPort),
          silent(login, target.httpsPort),
          silent(admin, target.httpsPort),
        ];
      return [
        admits("udp", target.sipPort) ? { name: sip, ok: true, detail: "SIP/2.0 200 OK" } : silent(sip, target.sipPort),
        { name: login, ok: true, detail: "401" },
        { name: admin, ok: true, detail: "200" },
      ];
    },
  };
}
