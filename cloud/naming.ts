import { createHash } from "node:crypto";

/** Tag keys every rtcgw resource carries. */
export const tagKeys = { build: "rtcgw:build", recipe: "rtcgw:recipe", role: "rtcgw:role", version: "rtcgw:version", smoke: "rtcgw:smoke" } as const;

// Whether an image's tags say it passed its smoke test: the build's good image, never a temporary one.
export function isSmokeTested(tags: Record<string, string>): boolean {
  return tags[tagKeys.smoke] === "passed";
}

/** What a tagged resource is for. */
export type ResourceRole = "builder" | "smoke" | "candidate" | "image" | "staging";

// The tags put on a resource at creation.
export function buildTags(input: { buildId: string; recipe: string; version: string; role: ResourceRole; name: string }): Record<string, string> {
  return { Name: input.name, [tagKeys.build]: input.buildId, [tagKeys.recipe]: input.recipe, [tagKeys.version]: input.version, [tagKeys.role]: input.role };
}

// A short stable hash of the parts, hex.
export function hashParts(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\0")).digest("hex");
}

// The ClientToken of one (build, region, purpose): a retried call, even from a resumed run, never makes a second resource.
export function clientTokenFor(buildId: string, region: string, purpose: string): string {
  return hashParts("rtcgw", buildId, region, purpose).slice(0, 64);
}

// The AMI name: image name, version and the build id (EC2 allows letters, digits, ( ) [ ] space . / - ' @ _).
export function amiNameFor(imageName: string, version: string, buildId: string): string {
  return `${imageName}-${version}-${buildId.slice(0, 12)}`.replace(/[^A-Za-z0-9()[\] ./'@_-]/g, "_").slice(0, 128);
}
