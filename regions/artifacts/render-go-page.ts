import { readFileSync } from "node:fs";
import Handlebars from "handlebars";
import type { Recipe } from "../../dsl/resolve.ts";
import { formatLaunchInstanceUrl, formatLaunchStackUrl } from "./console-links.ts";
import { listIngressRules } from "./public-ports.ts";
import { listCapacityRows, type CapacityRow } from "./capacity-advice.ts";

/** One published region on the go page. */
export interface GoPageRegion {
  region: string;
  imageId: string;
  deprecationTime?: string | undefined;
}

/** What the go page shows. */
export interface GoPageInput {
  recipe: Recipe;
  buildId: string;
  owner: string;
  regions: GoPageRegion[];
  templateUrls: { single: string; cluster: string };
  capacity?: CapacityRow[];
}

// HTML escaping stays ON here (unlike config templates): every value lands in HTML.
const template = Handlebars.create().compile(readFileSync(new URL("./go-page.hbs", import.meta.url), "utf8"), { strict: true });

// Renders the static go page: per region the AMI id, owner, "Launch instance" and "Launch stack" links, and the capacity table.
export function renderGoPage(input: GoPageInput): string {
  const { recipe } = input;
  const title = recipe.publish.goPage === false ? recipe.name : recipe.publish.goPage.title;
  const stackName = recipe.name.replace(/[^A-Za-z0-9-]/g, "-");
  return template({
    title,
    recipeName: recipe.name,
    version: recipe.version,
    buildId: input.buildId.slice(0, 12),
    owner: input.owner,
    adminUser: recipe.gateway.admin.user,
    regions: [...input.regions]
      .sort((a, b) => a.region.localeCompare(b.region))
      .map((r) => ({
        region: r.region,
        imageId: r.imageId,
        deprecationDate: r.deprecationTime?.slice(0, 10) ?? "—",
        launchInstanceUrl: formatLaunchInstanceUrl(r.region, r.imageId),
        launchStackSingleUrl: formatLaunchStackUrl(r.region, input.templateUrls.single, stackName),
        launchStackClusterUrl: formatLaunchStackUrl(r.region, input.templateUrls.cluster, `${stackName}-cluster`),
      })),
    ports: listIngressRules(recipe).map((p) => ({
      protocol: p.protocol.toUpperCase(),
      range: p.from === p.to ? String(p.from) : `${p.from}-${p.to}`,
      label: p.label,
    })),
    capacity: input.capacity ?? listCapacityRows(recipe),
  });
}
