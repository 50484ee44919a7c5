// Runs once before the e2e specs. Kept light: the webServer (`node bin/start.mjs --fresh`)
// wipes and seeds its own data dir. Here we only fail early with a clear message when the
// browser is missing (downloads are blocked; .ci/run installs Debian's chromium).
import { existsSync } from "node:fs";

export default async function globalSetup(): Promise<void> {
  const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!existsSync(chromium)) {
    throw new Error(
      `Chromium not found at ${chromium}. Install it with: apt-get install -y chromium (or set CHROMIUM_PATH).`,
    );
  }
}
