// The local builder's entry points for the CLI: plan (`--dry-run`), prerequisites, build.
export { buildLocalImage, auditTarget, type LocalBuildOptions, type LocalBuildProgress, type LocalBuildResult } from "./build-local-image.ts";
export { checkLocalBuildPrerequisites } from "./check-prerequisites.ts";
export { planLocalBuild, localBuildSteps, type LocalBuildPlan, type LocalBuildPlanInput, type LocalBuildStepId } from "./plan-local-build.ts";
export type { LocalImageManifest } from "./image-manifest.ts";
