import type { DiskUpload, Journal } from "../../cloud/journal.ts";

/** One region in manifest.json. */
export interface ManifestRegion {
  imageId: string | null;
  name: string;
  owner: string;
  created: string | null;
  deprecation: string | null;
  status: string;
  error?: string;
}

/** manifest.json: what was published where. */
export interface Manifest {
  recipe: string;
  version: string;
  buildId: string;
  owner: string;
  /** The tested disk image the AMI was registered from (absent for an image built through SSM). */
  disk?: DiskUpload;
  regions: Record<string, ManifestRegion>;
}

// The manifest of a publish run, from its journal (failed regions are listed with their error, without an AMI id).
export function renderManifest(journal: Journal): Manifest {
  const regions = Object.keys(journal.regions)
    .sort()
    .map((region): [string, ManifestRegion] => {
      const e = journal.regions[region]!;
      const ok = e.status === "published";
      return [
        region,
        {
          imageId: ok ? (e.imageId ?? null) : null,
          name: journal.amiName,
          owner: journal.account ?? "",
          created: e.creationDate ?? null,
          deprecation: e.deprecationTime ?? null,
          status: e.status,
          ...(e.error ? { error: e.error } : {}),
        },
      ];
    });
  return {
    recipe: journal.recipe,
    version: journal.recipeVersion,
    buildId: journal.buildId,
    owner: journal.account ?? "",
    ...(journal.disk ? { disk: journal.disk } : {}),
    regions: Object.fromEntries(regions),
  };
}
