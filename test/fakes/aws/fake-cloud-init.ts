// What the fake cloud's instances do with their user data and their image at boot: whether an SSM agent runs.
// Official Debian AMIs have no agent, so an instance is managed only when its image carries one (made from an
// instance that had it) or its user data installs it as cloud-init would run it: a `#!` script that fetches the
// agent's .deb for the instance's region and architecture over https and installs it with `dpkg -i`.
import type { FakeContext, FakeInstance } from "./fake-state.ts";

// Whether a user-data script installs the SSM agent on an instance of that region and architecture (pure).
export function userDataInstallsSsmAgent(userData: string | undefined, region: string, arch: "amd64" | "arm64"): boolean {
  if (!userData?.startsWith("#!")) return false;
  const url = `https://s3.${region}.amazonaws.com/amazon-ssm-${region}/latest/debian_${arch}/amazon-ssm-agent.deb`;
  return userData.includes(url) && /\bdpkg -i\b[^\n]*amazon-ssm-agent\.deb/.test(userData);
}

// Whether an instance has an SSM agent: from its image, or installed by its user data at first boot.
export function instanceHasSsmAgent(ctx: FakeContext, instance: FakeInstance): boolean {
  const image = ctx.state.images.find((i) => i.imageId === instance.imageId);
  if (!image) return false;
  return image.ssmAgent || userDataInstallsSsmAgent(instance.userData, instance.region, image.arch);
}
