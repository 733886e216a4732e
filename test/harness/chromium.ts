// Headless Chromium (/usr/bin/chromium) for the /tryit/ tests: fake microphone and camera, media permission
// granted without a prompt, loopback ICE candidates allowed, self-signed HTTPS accepted. Screenshots go to
// test-artifacts/.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { projectRoot } from "../../gateway/render-template.ts";
import { requireBinary } from "./require-binary.ts";

export const chromiumFlags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--use-fake-ui-for-media-stream",
  "--use-fake-device-for-media-stream",
  // rtpengine offers loopback candidates only: let WebRTC use them.
  "--allow-loopback-in-peer-connection",
];

/** A running Chromium with its first page; `close()` ends it and removes its temp profile. */
export interface RunningChromium {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

// Launches Chromium with a fresh temp profile.
export async function launchChromium(): Promise<RunningChromium> {
  const executablePath = requireBinary("chromium", "chromium");
  const profile = await mkdtemp(join(tmpdir(), "rtcgw-chromium-"));
  try {
    const context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: chromiumFlags, ignoreHTTPSErrors: true });
    const page = context.pages()[0] ?? (await context.newPage());
    return {
      context,
      page,
      close: async () => {
        try {
          await context.close();
        } finally {
          await rm(profile, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}

// Saves a full-page screenshot as test-artifacts/<name>.png.
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  await mkdir(join(projectRoot, "test-artifacts"), { recursive: true });
  await page.screenshot({ path: join(projectRoot, "test-artifacts", `${name}.png`), fullPage: true });
}
