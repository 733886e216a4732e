import { defineRecipe } from "../dsl/index.ts";

// The default gateway: reproduces the reference demo gateway. Browsers register through it to the PBX, PBX
// calls reach registered browsers, browser calls go to the PBX; video is stripped, `*` + 8 digits joins a conference
// room, `music` plays music. No duration rule: calls end after 90 s in demo mode, a license sets its own limit.
export default defineRecipe({
  name: "rtcgw",
  version: "0.1.0",
  gateway: {
    domains: ["pbx.example.com"],
    upstreams: [{ name: "pbx", host: "pbx.example.com", port: 5060, transport: "udp", allowFrom: ["192.0.2.10/32"] }],
    listen: {
      sip: { ports: "5060-5069", transports: ["udp", "tcp"] },
      wss: { port: 443 },
      rtp: "10000-11000",
    },
    rules: [{ kind: "strip-video" }, { kind: "codec-policy", webrtc: ["opus", "PCMU", "PCMA"], sip: ["PCMU", "PCMA"] }],
    dialPlan: [
      { kind: "conference", pattern: "^\\*([0-9]{8})$" },
      { kind: "music", pattern: "^music$" },
      { kind: "upstream", pattern: ".*", upstream: "pbx" },
    ],
    security: { flood: { requests: 30, window: "2s", ban: "300s" } },
    admin: { user: "sbcadmin" },
    license: { parameter: "/rtcgw/license" },
    capacity: { parallelCalls: 250 },
  },
  image: {
    base: "debian-13",
    hardening: "cis-l1",
    ssh: { port: 22 },
    builder: { instanceType: "t3.small" },
    disk: { sizeGiB: 8 },
  },
  regions: ["us-east-1", "eu-central-1"],
  publish: { visibility: "private", ssmPrefix: "/rtcgw", deprecateAfter: "730d" },
});
