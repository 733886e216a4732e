import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import { chromium } from "playwright-core";
import { buildAwsImage } from "../../image/builders/aws/build-aws-image.ts";
import { publishImage } from "../../regions/publish-image.ts";
import { createFakeCloud, defaultRegions } from "../fakes/aws/create-fake-cloud.ts";
import { makeRecipe, tempJournalPath, testBundle } from "./fixtures.ts";

const chromiumArgs = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

test("the go page, opened in headless Chromium, lists every region with its AMI, owner and console links in the exact formats", async () => {
  const cloud = createFakeCloud();
  const recipe = makeRecipe({ regions: defaultRegions, publish: { visibility: "public" } });
  const journalPath = tempJournalPath();
  const built = await buildAwsImage({ recipe, bundle: testBundle, region: "us-east-1", journalPath }, cloud.ports);
  assert.ok(built.ok);
  const published = await publishImage({ recipe, buildId: built.buildId, sourceRegion: "us-east-1", sourceImageId: built.imageId, journalPath }, cloud.ports);
  assert.equal(published.kind, "published");
  if (published.kind !== "published") return;
  const dir = mkdtempSync(join(tmpdir(), "rtcgw-go-"));
  const page = join(dir, "index.html");
  writeFileSync(page, published.artifacts.files["rtcgw/0.1.0/index.html"]!);
  const profile = join(dir, "profile");
  const context = await chromium.launchPersistentContext(profile, { executablePath: "/usr/bin/chromium", headless: true, args: chromiumArgs, offline: true });
  try {
    const tab = await context.newPage();
    await tab.goto(pathToFileURL(page).href);
    const rows = await tab.$$eval("#regions tbody tr", (trs) =>
      trs.map((tr) => ({
        region: tr.getAttribute("data-region"),
        cells: Array.from(tr.querySelectorAll("td")).map((td) => td.textContent?.trim()),
        links: Object.fromEntries(Array.from(tr.querySelectorAll("a")).map((a) => [a.className.replace("button ", ""), a.getAttribute("href")])),
      })),
    );
    assert.deepEqual(
      rows.map((r) => r.region),
      [...defaultRegions].sort(),
    );
    const bucket = cloud.state.buckets.get("rtcgw-111122223333-us-east-1")!;
    for (const row of rows) {
      const region = row.region!;
      const [image] = cloud.listOwnImages(region);
      assert.equal(row.cells[1], image!.imageId, region);
      assert.equal(row.cells[2], "111122223333");
      assert.equal(row.links["launch-instance"], `https://${region}.console.aws.amazon.com/ec2/home?region=${region}#LaunchInstances:ami=${image!.imageId}`);
      for (const [kind, file, stack] of [
        ["launch-stack-single", "single-instance", "rtcgw"],
        ["launch-stack-cluster", "cluster", "rtcgw-cluster"],
      ] as const) {
        const match = new RegExp(
          `^https://${region}\\.console\\.aws\\.amazon\\.com/cloudformation/home\\?region=${region}#/stacks/create/review\\?templateURL=([^&]+)&stackName=([^&]+)$`,
        ).exec(row.links[kind] ?? "");
        assert.ok(match, `${kind} of ${region}: ${row.links[kind]}`);
        assert.equal(decodeURIComponent(match[1]!), `https://rtcgw-111122223333-us-east-1.s3.us-east-1.amazonaws.com/rtcgw/0.1.0/${file}.template.json`);
        assert.equal(match[2], stack);
        const template = JSON.parse(Buffer.from(bucket.objects.get(`rtcgw/0.1.0/${file}.template.json`)!).toString());
        assert.equal(template.Mappings.RegionMap[region].AMI, image!.imageId, "the linked template launches this region's AMI");
      }
    }
    assert.equal(await tab.textContent("#owner"), "111122223333");
    assert.ok((await tab.$$("#capacity tbody tr")).length >= 1);
    mkdirSync("test-artifacts", { recursive: true });
    await tab.screenshot({ path: "test-artifacts/aws-go-page.png", fullPage: true });
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
