/**
 * `pnpm test` runs this first: what the suite needs from the machine beyond node_modules.
 * Today that is one thing, a Chromium for the admin panel's browser test (playwright-core
 * drives the system's browser; playwright's own download cannot work without internet).
 *
 * - Found at CHROMIUM_PATH (default /usr/bin/chromium): nothing to do.
 * - Missing, as root on Debian (CI, a fresh machine): installs Debian's chromium with apt-get.
 * - Missing elsewhere: stops here and says what to install, before the build and the suite run.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const debianChromium = "/usr/bin/chromium";
const chromium = process.env.CHROMIUM_PATH || debianChromium;

if (!existsSync(chromium)) {
  const root = process.getuid?.() === 0;
  if (chromium === debianChromium && process.platform === "linux" && root && existsSync("/usr/bin/apt-get")) {
    console.log(
      `Chromium not found at ${chromium}: installing Debian's chromium for the admin panel's browser test (apt-get, once per machine)`,
    );
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    execFileSync("apt-get", ["install", "-y", "-qq", "chromium"], { stdio: "inherit", env });
    if (!existsSync(chromium)) throw new Error(`apt-get installed chromium, but ${chromium} is still missing`);
  } else {
    console.error(
      `The admin panel's browser test needs Chromium at ${chromium}, and it is not there.\n` +
        "  Debian: sudo apt-get install -y chromium (as root, pnpm test installs it itself)\n" +
        "  Elsewhere: install Chromium or Chrome and point CHROMIUM_PATH at its binary, e.g.\n" +
        '    CHROMIUM_PATH="/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" pnpm test',
    );
    process.exit(1);
  }
}
