/**
 * The admin panel in a real browser against the real API: Debian's Chromium driven by
 * playwright-core, the production build served by `vite preview` with `/trpc` proxied to the
 * dev entry of the API (PGlite, demo data). Every page is saved to apps/admin/screenshots/.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { type Browser, chromium, type Page } from "playwright-core";
import { type PreviewServer, preview } from "vite";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import type { AppRouter } from "@agent-builder/api";

import { type RunningApi, startApiServer } from "../../../test/support/api-server";
import { formatCount, formatDateTime, formatUsd } from "../src/format";
import { formatPricePerMillion } from "../src/models/prices";

const appDir = fileURLToPath(new URL("..", import.meta.url));
const screenshotDir = join(appDir, "screenshots");
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// Launch flags that work on these machines (no sandbox as root, no GPU, no calls home on a closed network).
const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
];
const acme = { id: "acme", admin: "00000001-0000-4000-8001-000000000001", member: "00000001-0000-4000-8001-000000000002" };

const viteBin = join(dirname(createRequire(import.meta.url).resolve("vite/package.json")), "bin", "vite.js");

/**
 * The build staff get: `vite build` in its own process with NODE_ENV=production. (In this
 * process vitest has set NODE_ENV=test, which would make a development build of React.)
 */
async function buildPanel() {
  await promisify(execFile)(process.execPath, [viteBin, "build", "--outDir", outDir, "--emptyOutDir", "--logLevel", "warn"], {
    cwd: appDir,
    env: { ...process.env, NODE_ENV: "production" },
  });
}

let api: RunningApi;
let server: PreviewServer;
let browser: Browser;
let page: Page;
let baseUrl: string;
let outDir: string;
let adminToken: string;
let memberToken: string;

beforeAll(async () => {
  // Fail, never skip: CI installs Chromium (.ci/run), so a missing one is a broken machine.
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium not found at ${chromiumPath}: install it with \`apt-get update && apt-get install -y chromium\` (.ci/run does)`,
    );
  }
  mkdirSync(screenshotDir, { recursive: true });
  outDir = mkdtempSync(join(tmpdir(), "agent-builder-admin-"));
  // The API (PGlite migrate + seed) and the production build of the panel, side by side.
  [api] = await Promise.all([startApiServer("pglite", { seed: true, env: { CORS_ORIGINS: "*" } }), buildPanel()]);
  const apiOrigin = new URL(api.url).origin;
  server = await preview({
    root: appDir,
    configFile: join(appDir, "vite.config.ts"),
    logLevel: "warn",
    build: { outDir },
    preview: { host: "127.0.0.1", port: 0, strictPort: false, proxy: { "/trpc": { target: apiOrigin, changeOrigin: true } } },
  });
  baseUrl = server.resolvedUrls!.local[0]!.replace(/\/$/, "");
  adminToken = await api.token({ sub: acme.admin, tid: acme.id, role: "admin" });
  memberToken = await api.token({ sub: acme.member, tid: acme.id, role: "member" });
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (error) => browserErrors.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") browserErrors.push(`console: ${message.text()}`);
  });
});

// What the browser saw when a test failed: a screenshot and its errors, for the log and for CI.
const browserErrors: string[] = [];
afterEach(async ({ task }) => {
  if (task.result?.state === "fail" && page) {
    await page.screenshot({ path: join(screenshotDir, `failed-${task.name.replace(/\W+/g, "-").slice(0, 60)}.png`), fullPage: true });
    if (browserErrors.length > 0) console.error(`browser errors during "${task.name}":\n${browserErrors.join("\n")}`);
  }
  browserErrors.length = 0;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await api?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

async function screenshot(name: string) {
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

/** The page is no wider than the window: no horizontal scrollbar at this size. */
async function expectNoHorizontalScroll() {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(scrollWidth, `page is ${scrollWidth}px wide in a ${clientWidth}px window at ${page.url()}`).toBeLessThanOrEqual(clientWidth);
}

const nav = (name: string) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true });
const path = () => new URL(page.url()).pathname;
const rowsOf = (table: string) => page.locator(`table[aria-label="${table}"] tbody tr`);

/** Every dollar amount in the panel has this one shape: four decimals, or "<$0.0001" for a sliver above zero. */
const usdShape = /^(<\$0\.0001|\$\d{1,3}(,\d{3})*\.\d{4})$/;
async function expectUsd(texts: string[], where: string) {
  expect(texts.length, `no amounts found on ${where}`).toBeGreaterThan(0);
  for (const text of texts) expect(text.trim(), `an amount on ${where}`).toMatch(usdShape);
}

/** The texts of one column of a table, found by its header. */
function columnTexts(table: string, header: string): Promise<string[]> {
  return page.evaluate(
    ([label, name]) => {
      const element = document.querySelector(`table[aria-label="${label}"]`);
      if (!element) return [];
      const index = [...element.querySelectorAll("thead th")].findIndex(
        (th) => th.textContent?.trim().toLowerCase() === name.toLowerCase(),
      );
      if (index < 0) return [];
      return [...element.querySelectorAll("tbody tr")].map((tr) => tr.children[index]?.textContent ?? "");
    },
    [table, header] as const,
  );
}

/** The value of a headline figure ("Cost this month", ...). */
const statValue = (label: string) =>
  page
    .locator(".stat")
    .filter({ has: page.locator(".stat-label", { hasText: label }) })
    .locator(".stat-value");

/**
 * The usage-by-period table: it has a Cancelled row, and in every period Executions is
 * Succeeded + Failed + Cancelled (usage counts runs as they finish). Returns the figures.
 */
async function expectUsageRowsAddUp(where: string) {
  const table = page.locator('table[aria-label="Usage by period"]');
  await table.waitFor();
  const figures = await table.evaluate((element) =>
    Object.fromEntries(
      [...element.querySelectorAll("tbody tr")].map((tr) => [
        tr.querySelector("th")!.textContent!.trim(),
        [...tr.querySelectorAll("td")].map((td) => td.textContent!.trim()),
      ]),
    ),
  );
  expect(Object.keys(figures), where).toEqual(expect.arrayContaining(["Executions", "Succeeded", "Failed", "Cancelled"]));
  const count = (text: string) => Number(text.replace(/,/g, ""));
  figures.Executions!.forEach((executions, period) => {
    const parts = ["Succeeded", "Failed", "Cancelled"].map((row) => count(figures[row]![period]!));
    expect(
      parts.reduce((a, b) => a + b),
      `${where}, period ${period}: Executions ${executions} = Succeeded + Failed + Cancelled ${parts.join(" + ")}`,
    ).toBe(count(executions));
  });
  await expectUsd(figures.Cost!, `${where} usage table`);
  return figures;
}

/** The chart's legend names exactly the series it draws: three outcome bars and the cost line. */
async function expectLegendMatchesSeries() {
  const chart = page.locator("figure.chart").first();
  await chart.locator(".recharts-bar-rectangle").first().waitFor();
  expect(await chart.locator(".recharts-legend-item-text").allTextContents()).toEqual(["succeeded", "failed", "cancelled", "cost"]);
  expect(await chart.locator(".recharts-bar").count()).toBe(3);
  expect(await chart.locator(".recharts-line").count()).toBe(1);
  // The cost axis reads in the same format as every other amount.
  await expectUsd(await chart.locator('.recharts-cartesian-axis-tick-value[orientation="right"]').allTextContents(), "the cost axis");
}

let pausedAgent: { id: string; name: string };

/** The demo tools' secret values (packages/db/src/demo-tools.ts), which `pnpm dev` seals: never on a page. */
const demoSecretValues = ["zd-demo-acme-token-7f3a9c21", "pat-demo-acme-5e1b2d0c4a98", "pd-demo-globex-u+2Qx9wz81"];

function apiClient(token: string) {
  return createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: api.url, headers: { authorization: `Bearer ${token}` } })] });
}

/** The tRPC calls the panel sent (httpBatchLink: several procedures per GET), with their inputs. */
function trpcCalls(urls: string[]): Array<{ path: string; input: Record<string, unknown> | undefined }> {
  return urls.flatMap((raw) => {
    const url = new URL(raw);
    if (!url.pathname.startsWith("/trpc/")) return [];
    const inputs = JSON.parse(url.searchParams.get("input") ?? "{}") as Record<string, Record<string, unknown>>;
    return decodeURIComponent(url.pathname.slice("/trpc/".length))
      .split(",")
      .map((path, i) => ({ path, input: inputs[String(i)] }));
  });
}

/** Records the URLs of the requests the page sends from now on; `stop()` ends it. */
function recordRequests() {
  const urls: string[] = [];
  const listener = (request: { url(): string }) => urls.push(request.url());
  page.on("request", listener);
  return { urls, calls: () => trpcCalls(urls), stop: () => page.off("request", listener) };
}

describe("admin panel in Chromium", () => {
  it("turns a member token away at sign-in with a clear message", async () => {
    await page.goto(`${baseUrl}/`);
    await page.waitForURL(/\/sign-in$/);
    await screenshot("sign-in");
    await page.getByLabel("Bearer token").fill(memberToken);
    await page.getByRole("button", { name: "Sign in" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toContain("Admin token required");
    expect(await alert.textContent()).toContain("role: member");
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(path()).toBe("/sign-in");
    await screenshot("sign-in-forbidden");

    await page.getByLabel("Bearer token").fill("not-a-jwt");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "The API rejected this token" }).waitFor();

    // Shift+Enter is a line break in the box, not a submit.
    await page.getByLabel("Bearer token").fill("two");
    await page.getByLabel("Bearer token").press("Shift+Enter");
    expect(await page.getByLabel("Bearer token").inputValue()).toBe("two\n");
    expect(path()).toBe("/sign-in");
  });

  it("shows a page-level error when a stored token is not an admin's", async () => {
    // A session whose token lost its admin role (or was never one): every page says so.
    await page.evaluate((token) => sessionStorage.setItem("agent-builder.admin.token", token), memberToken);
    await page.goto(`${baseUrl}/`);
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toContain("Admin token required");
    await screenshot("overview-forbidden");
    await page.getByRole("button", { name: "Sign in with another token" }).click();
    await page.waitForURL(/\/sign-in$/);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it("signs in with a pasted admin token and Enter; the top bar names the staff member; the overview lists both demo tenants and charts them", async () => {
    await page.getByLabel("Bearer token").fill(adminToken);
    // Enter in the token box signs in (no click): the box gets no line break and the overview opens.
    await page.getByLabel("Bearer token").press("Enter");
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    expect(path()).toBe("/");

    // The top bar names the staff member and their tenant; the ids are on hover.
    const whoami = page.getByTestId("whoami");
    await whoami.filter({ hasText: "Ada Admin" }).waitFor();
    expect(await whoami.textContent()).toContain("Signed in as Ada Admin of Acme Corp");
    expect(await whoami.getAttribute("title")).toBe(`user ${acme.admin} · tenant acme`);

    const tenants = rowsOf("Tenants");
    await tenants.first().waitFor();
    expect(await tenants.count()).toBe(2);
    expect(await page.locator("tr[data-tenant=acme]").textContent()).toContain("Acme Corp");
    expect(await page.locator("tr[data-tenant=globex]").textContent()).toContain("Globex");
    // Counts from the seeded data: acme has 12 agents, globex 8.
    expect(await page.locator("tr[data-tenant=acme] td").nth(1).textContent()).toBe("12");
    expect(await page.locator("tr[data-tenant=globex] td").nth(1).textContent()).toBe("8");

    // The chart: an x axis, two y axes (executions, cost), bars and a tooltip on hover.
    const chart = page.locator("figure.chart");
    await chart.locator(".recharts-bar-rectangle").first().waitFor();
    expect(await chart.locator(".recharts-xAxis").count()).toBe(1);
    expect(await chart.locator(".recharts-yAxis").count()).toBe(2);
    expect(await chart.locator(".recharts-xAxis .recharts-cartesian-axis-tick").count()).toBeGreaterThan(3);
    const box = (await chart.locator(".recharts-wrapper").boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2);
    const tooltip = page.locator(".chart-tooltip");
    await tooltip.waitFor();
    expect(await tooltip.textContent()).toMatch(/Executions: \d+.*Cost: \$/);
    await expectUsd([(await tooltip.locator("div", { hasText: /^Cost: / }).textContent())!.replace(/^Cost: /, "")], "the chart tooltip");
    await expectLegendMatchesSeries();
    await expectUsd([(await statValue("Cost this month").textContent())!, ...(await columnTexts("Tenants", "Cost"))], "the overview");
    await expectNoHorizontalScroll();
    await screenshot("overview");

    const ninetyDays = page.waitForResponse((r) => r.url().includes("admin.overview") && decodeURIComponent(r.url()).includes('"days":90'));
    await page.getByRole("button", { name: "90 days" }).click();
    expect((await ninetyDays).status()).toBe(200);
    await page.getByRole("heading", { name: /last 90 days/ }).waitFor();
  });

  it("opens tenant acme and filters its agents by status and name", async () => {
    await page.getByRole("link", { name: "Acme Corp" }).click();
    await page.waitForURL(/\/tenants\/acme$/);
    await page.getByRole("heading", { name: /Acme Corp/ }).waitFor();
    const agents = rowsOf("Agents");
    await agents.first().waitFor();
    expect(await agents.count()).toBe(12);
    expect(await page.locator('table[aria-label="Spaces"]').textContent()).toContain("Support");
    expect(await page.locator('table[aria-label="Users"]').textContent()).toContain("Ada Admin");
    const statuses = new Set(await agents.evaluateAll((rows) => rows.map((r) => r.getAttribute("data-status"))));
    expect(statuses.size).toBeGreaterThan(1);
    // The demo data has cancelled runs, so the Cancelled row is what makes the rows add up.
    const usage = await expectUsageRowsAddUp("the tenant page");
    expect(Number(usage.Cancelled!.at(-1)!.replace(/,/g, ""))).toBeGreaterThan(0);
    await expectUsd([(await statValue("Cost this month").textContent())!, ...(await columnTexts("Agents", "Cost"))], "the tenant page");

    await page.locator("select[name=status]").selectOption("active");
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('table[aria-label="Agents"] tbody tr')];
      return rows.length > 0 && rows.length < 12 && rows.every((r) => r.getAttribute("data-status") === "active");
    });
    expect(page.url()).toContain("status=active");

    await page.getByPlaceholder("Search by name").fill("support");
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('table[aria-label="Agents"] tbody tr')];
      return rows.length === 1 && rows[0]!.textContent!.includes("Support triage");
    });
    await page.getByPlaceholder("Search by name").fill("no agent is called this");
    await page.getByText("No agents match these filters.").waitFor();
    await page.getByPlaceholder("Search by name").fill("");
    await page.waitForFunction(() => !new URL(location.href).searchParams.has("q"));
    await agents.first().waitFor();
    await expectNoHorizontalScroll();
    await screenshot("tenant");
  });

  it("opens an active agent, pauses it, and shows the new status and the audit entry", async () => {
    const agentLink = rowsOf("Agents").first().getByRole("link");
    const agentName = (await agentLink.textContent())!;
    await agentLink.click();
    await page.waitForURL(/\/agents\/[0-9a-f-]{36}$/);
    const agentId = path().split("/").pop()!;
    pausedAgent = { id: agentId, name: agentName };
    await page.getByRole("heading", { name: agentName, exact: true }).waitFor();
    await expectUsageRowsAddUp("the agent page");
    await expectLegendMatchesSeries();
    await expectUsd([(await statValue("Cost (lifetime)").textContent())!, ...(await columnTexts("Executions", "Cost"))], "the agent page");

    const statusLine = page.locator(".status-line");
    expect(await statusLine.locator(".badge").textContent()).toBe("active");
    expect(await page.getByRole("button", { name: "Activate" }).count()).toBe(0);
    // The credential is masked: only its last characters, never the key itself.
    expect(await page.locator(".masked").textContent()).toMatch(/^•+\w{4}$/);
    expect(await page.content()).not.toContain("sk-demo-");
    // The persona and behaviour, as the API has them (the demo data gives every agent one).
    const { agent: shown } = await apiClient(adminToken).admin.agent.query({ id: agentId });
    expect(shown.role && shown.goal && shown.backstory && shown.category && shown.tags.length).toBeTruthy();
    const persona = page.locator('dl[aria-label="Persona"]');
    const field = (label: string) => persona.locator(`div[data-field="${label}"] dd`).textContent();
    expect(await field("Role")).toBe(shown.role);
    expect(await field("Goal")).toBe(shown.goal);
    expect(await field("Category")).toBe(shown.category);
    expect(await persona.locator("[data-tag]").allTextContents()).toEqual(shown.tags);
    expect(await field("Verbose")).toBe(shown.verbose ? "on" : "off");
    expect(await field("Delegation")).toBe(shown.allowDelegation ? "allowed" : "off");
    expect(await field("Reasoning")).toBe(shown.reasoning ? "on" : "off");
    expect(await field("Max iterations")).toBe(String(shown.maxIterations));
    expect(await page.locator("pre.backstory").textContent()).toBe(shown.backstory);
    await page.locator("figure.chart .recharts-bar-rectangle").first().waitFor();
    expect(await rowsOf("Executions").count()).toBeGreaterThan(0);

    await page.getByLabel("Reason (kept in the audit log)").fill("e2e: paused for review");
    await page.getByRole("button", { name: "Pause" }).click();
    await page.waitForFunction(() => document.querySelector(".status-line .badge")?.textContent === "paused");
    await page.getByRole("button", { name: "Activate" }).waitFor();
    const audit = page.locator('table[aria-label="Audit log"] tbody tr[data-action="agent.setStatus"]');
    await audit.first().waitFor();
    expect(await audit.first().textContent()).toContain("active → paused");
    expect(await audit.first().textContent()).toContain("e2e: paused for review");

    // The change is in the database, with its audit entry, not only on screen.
    const client = apiClient(adminToken);
    expect((await client.admin.agent.query({ id: agentId })).agent.status).toBe("paused");
    const entries = (await client.admin.auditLog.query({ tenantId: "acme" })).items.filter((e) => e.targetId === agentId);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actorId: acme.admin,
      actorName: "Ada Admin",
      actorTenantName: "Acme Corp",
      action: "agent.setStatus",
      targetTenantName: "Acme Corp",
      targetName: agentName,
      details: { from: "active", to: "paused", reason: "e2e: paused for review" },
    });
    await expectNoHorizontalScroll();
    await screenshot("agent");
  });

  it("opens one of the agent's executions: input, output, tokens and the steps timeline", async () => {
    // A succeeded run with several steps, so the timeline has more than one entry.
    const link = page
      .locator('table[aria-label="Executions"] tbody tr[data-status="succeeded"]:not([data-steps="0"]):not([data-steps="1"]) a')
      .first();
    await link.click();
    await page.waitForURL(/\/executions\/[0-9a-f-]{36}$/);
    await page.getByRole("heading", { name: /Execution/ }).waitFor();
    const executionId = path().split("/").pop()!;

    expect(await page.getByLabel("input", { exact: true }).textContent()).toContain("Demo request");
    expect(await page.getByLabel("output", { exact: true }).textContent()).toContain("Done: here is the demo answer.");
    const steps = page.locator('ol[aria-label="Steps"] > li');
    const execution = await apiClient(adminToken).admin.execution.query({ id: executionId });
    expect(execution.steps.length).toBeGreaterThan(1);
    expect(await steps.count()).toBe(execution.steps.length);
    expect(await steps.first().textContent()).toContain("thought");
    const tokens = await page.locator('table[aria-label="Token breakdown"]').textContent();
    expect(tokens).toContain(execution.usage.totalTokens.toLocaleString("en-US"));
    await expectUsd([(await statValue("Cost").first().textContent())!], "the execution page");
    await expectNoHorizontalScroll();
    await screenshot("execution");
  });

  it("pages through executions and filters them by status, tenant and agent; empty and invalid ranges", async () => {
    await nav("Executions").click();
    await page.waitForURL(/\/executions$/);
    const rows = rowsOf("Executions");
    await rows.first().waitFor();
    expect(await rows.count()).toBe(25);
    // A run of a model without a price (the demo's house-model-1) reads "unpriced"; every other cost is an amount.
    await expectUsd(
      (await columnTexts("Executions", "Cost")).filter((text) => text.trim() !== "unpriced"),
      "the executions list",
    );

    // Keyset pages: forward with the API's cursor, back with the remembered one.
    const firstId = await rows.first().locator("a").first().getAttribute("title");
    expect(await page.locator(".pager").textContent()).toContain("executions 1–25 · page 1");
    await page.getByRole("button", { name: "Next →" }).click();
    await page.locator(".pager").filter({ hasText: "executions 26–50 · page 2" }).waitFor();
    await page.waitForFunction(
      (id) => document.querySelector('table[aria-label="Executions"] tbody tr a')?.getAttribute("title") !== id,
      firstId,
    );
    await page.getByRole("button", { name: "← Previous" }).click();
    await page.waitForFunction(
      (id) => document.querySelector('table[aria-label="Executions"] tbody tr a')?.getAttribute("title") === id,
      firstId,
    );

    await page.locator("select[name=status]").selectOption("failed");
    await page.waitForFunction(() => {
      const all = [...document.querySelectorAll('table[aria-label="Executions"] tbody tr')];
      return all.length > 0 && all.every((r) => r.getAttribute("data-status") === "failed");
    });
    await page.locator("select[name=tenantId]").selectOption("globex");
    await page.waitForFunction(() => {
      const all = [...document.querySelectorAll('table[aria-label="Executions"] tbody tr')];
      return all.length > 0 && all.every((r) => r.getAttribute("data-status") === "failed" && r.children[2]?.textContent === "globex");
    });
    expect(new URL(page.url()).searchParams.get("status")).toBe("failed");
    expect(new URL(page.url()).searchParams.get("tenantId")).toBe("globex");
    await expectNoHorizontalScroll();
    await screenshot("executions");

    // One agent of that tenant: every row is that agent's.
    const agentOption = page.locator("select[name=agentId] option:not([value=''])").first();
    await agentOption.waitFor({ state: "attached" });
    const agentName = (await agentOption.textContent())!;
    await page.locator("select[name=agentId]").selectOption({ label: agentName });
    await page.waitForFunction((name) => {
      const all = [...document.querySelectorAll('table[aria-label="Executions"] tbody tr')];
      const empty = document.body.textContent!.includes("No executions match these filters.");
      return empty || (all.length > 0 && all.every((r) => r.children[3]?.textContent === name));
    }, agentName);
    expect(new URL(page.url()).searchParams.get("agentId")).toMatch(/^[0-9a-f-]{36}$/);
    await page.locator("select[name=status]").selectOption("");
    await page.waitForFunction((name) => {
      const all = [...document.querySelectorAll('table[aria-label="Executions"] tbody tr')];
      return all.length > 0 && all.every((r) => r.children[3]?.textContent === name);
    }, agentName);

    // The day filters read and take ISO days, as every date in the panel (not the browser's mm/dd/yyyy).
    for (const name of ["from", "to"]) {
      const box = page.locator(`input[name="${name}"]`);
      expect(await box.getAttribute("type")).toBe("text");
      expect(await box.getAttribute("placeholder")).toBe("yyyy-mm-dd");
    }
    await page.locator('input[name="from"]').fill("2026-02-30");
    await page.getByRole("alert").filter({ hasText: "Not a day: write yyyy-mm-dd" }).waitFor();
    expect(await page.locator('input[name="from"]').getAttribute("aria-invalid")).toBe("true");
    expect(new URL(page.url()).searchParams.has("from")).toBe(false);
    await page.locator('input[name="from"]').fill("2099-01-01");
    await page.getByText("No executions match these filters.").waitFor();
    expect(new URL(page.url()).searchParams.get("from")).toBe("2099-01-01");
    expect(await page.locator('input[name="from"]').inputValue()).toBe("2099-01-01");
    await page.locator('input[name="to"]').fill("2098-01-01");
    await page.getByRole("alert").filter({ hasText: "The range starts after it ends" }).waitFor();
    await page.getByRole("button", { name: "Clear filters" }).click();
    await rows.first().waitFor();
    expect(new URL(page.url()).search).toBe("");
  });

  it("fills the tenant pickers from admin.tenants, not the overview", async () => {
    const { tenants } = await apiClient(adminToken).admin.tenants.query();
    expect(tenants.map((t) => t.id).sort()).toEqual(["acme", "globex"]);
    for (const [url, ready] of [
      ["/executions", 'table[aria-label="Executions"] tbody tr'],
      ["/audit-log", 'table[aria-label="Audit log"] tbody tr'],
    ] as const) {
      const requests = recordRequests();
      await page.goto(`${baseUrl}${url}`);
      await page.locator(ready).first().waitFor();
      await page.locator("select[name=tenantId] option:not([value=''])").first().waitFor({ state: "attached" });
      requests.stop();
      const paths = requests.calls().map((c) => c.path);
      expect(paths, url).toContain("admin.tenants");
      expect(paths, url).toContain("admin.staffMember");
      expect(paths, url).not.toContain("admin.overview");
      const options = await page
        .locator("select[name=tenantId] option:not([value=''])")
        .evaluateAll((all) => all.map((o) => [o.getAttribute("value"), o.textContent]));
      expect(options, url).toEqual(tenants.map((t) => [t.id, t.name ?? t.id]));
    }
  });

  it("pages executions as one infinite query: Next asks for the next page once, Previous and Next again ask nothing", async () => {
    await page.goto(`${baseUrl}/executions`);
    const rows = rowsOf("Executions");
    await rows.first().waitFor();
    const ids = () => rows.evaluateAll((all) => all.map((r) => r.querySelector("a")?.getAttribute("title")));
    const staff = apiClient(adminToken);
    const first = await staff.admin.executions.query({ limit: 25 });
    const second = await staff.admin.executions.query({ limit: 25, cursor: first.nextCursor ?? undefined });
    expect(await ids()).toEqual(first.items.map((e) => e.id));

    const requests = recordRequests();
    await page.getByRole("button", { name: "Next →" }).click();
    await page.locator(".pager").filter({ hasText: "executions 26–50 · page 2" }).waitFor();
    await page.waitForFunction(
      (id) => document.querySelector('table[aria-label="Executions"] tbody tr a')?.getAttribute("title") === id,
      second.items[0]?.id,
    );
    expect(await ids()).toEqual(second.items.map((e) => e.id));
    // tRPC's infinite query: the first page's cursor, and the direction it adds to the input.
    expect(
      requests
        .calls()
        .filter((c) => c.path === "admin.executions")
        .map((c) => c.input),
    ).toEqual([{ limit: 25, cursor: first.nextCursor, direction: "forward" }]);

    await page.getByRole("button", { name: "← Previous" }).click();
    await page.locator(".pager").filter({ hasText: "executions 1–25 · page 1" }).waitFor();
    expect(await ids()).toEqual(first.items.map((e) => e.id));
    await page.getByRole("button", { name: "Next →" }).click();
    await page.locator(".pager").filter({ hasText: "executions 26–50 · page 2" }).waitFor();
    expect(await ids()).toEqual(second.items.map((e) => e.id));
    requests.stop();
    // Both pages came from the query's memory.
    expect(requests.calls().filter((c) => c.path === "admin.executions")).toHaveLength(1);
    await screenshot("executions-page-2");
  });

  it("asks the API for the agent's own staff actions, and shows this month per agent on the tenant page", async () => {
    const requests = recordRequests();
    await page.goto(`${baseUrl}/agents/${pausedAgent.id}`);
    await page.locator('table[aria-label="Audit log"] tbody tr[data-action="agent.setStatus"]').first().waitFor();
    requests.stop();
    expect(
      requests
        .calls()
        .filter((c) => c.path === "admin.auditLog")
        .map((c) => c.input),
    ).toEqual([{ tenantId: "acme", limit: 10, targetType: "agent", targetId: pausedAgent.id }]);

    await page.goto(`${baseUrl}/tenants/acme`);
    await rowsOf("Agents").first().waitFor();
    const page1 = await apiClient(adminToken).admin.agents.query({ tenantId: "acme", limit: 20 });
    const shown = await columnTexts("Agents", "This month");
    // Count, then cost on its own line (textContent runs them together).
    expect(shown).toEqual(page1.items.map((a) => `${formatCount(a.thisMonth.executions)}${formatUsd(a.thisMonth.costUsd)}`));
    expect(page1.items.some((a) => a.thisMonth.executions > 0)).toBe(true);
    await expectUsd(await page.locator("td.this-month .muted").allTextContents(), "the tenant page's month column");
    await expectNoHorizontalScroll();
  });

  it("lists a tenant's tools from its page: names, types, masked secret hints (never a value), schema and code; filters by type and name; pages", async () => {
    await page.goto(`${baseUrl}/tenants/acme`);
    await page.getByRole("link", { name: "Tools of this tenant →" }).click();
    await page.waitForURL(/\/tenants\/acme\/tools$/);
    await page.getByRole("heading", { name: /Tools of Acme Corp/ }).waitFor();
    const cards = page.locator('[aria-label="Tools"] article.tool');
    await cards.first().waitFor();
    const staff = apiClient(adminToken);
    const byName = { tenantId: acme.id, limit: 5, sortBy: "name", sortDirection: "asc" } as const;
    const first = await staff.admin.tools.query(byName);
    const shown = () =>
      cards.evaluateAll((all) =>
        all.map((card) => ({
          id: card.getAttribute("data-tool"),
          name: card.querySelector(".tool-name")?.textContent,
          type: card.querySelector(".tool-type")?.textContent,
          secrets: Object.fromEntries(
            [...card.querySelectorAll("[data-secret]")].map((li) => [
              li.getAttribute("data-secret"),
              li.querySelector(".masked")?.textContent,
            ]),
          ),
        })),
      );
    expect(await shown()).toEqual(first.items.map((t) => ({ id: t.id, name: t.name, type: t.type, secrets: t.secrets })));

    // One tool in full, as admin.tools has it: a tool with a secret, then a code tool.
    const withSecret = first.items.find((t) => Object.keys(t.secrets).length > 0)!;
    const card = page.locator(`article[data-tool="${withSecret.id}"]`);
    expect(await card.locator(".tool-description").textContent()).toBe(withSecret.description);
    expect(await card.locator("[data-tag]").allTextContents()).toEqual(withSecret.tags);
    expect(JSON.parse((await card.getByLabel("parameters", { exact: true }).textContent())!)).toEqual(withSecret.parameters);
    expect(JSON.parse((await card.getByLabel("configuration", { exact: true }).textContent())!)).toEqual(withSecret.configuration);
    expect(await card.locator('[aria-label="Usage examples"] li').allTextContents()).toEqual(withSecret.usageExamples);
    for (const hint of Object.values(withSecret.secrets)) expect(hint).toMatch(/^••••.{4}$/);
    const code = first.items.find((t) => t.type === "code")!;
    const codeBlock = page.locator(`article[data-tool="${code.id}"] pre.code`);
    expect(await codeBlock.textContent()).toBe(code.code);
    expect(await codeBlock.getAttribute("data-language")).toBe(code.language);
    expect(await page.locator(`article[data-tool="${code.id}"] .tool-language`).textContent()).toBe(code.language);
    // No secret's value anywhere in the page (demo-tools.ts's plaintexts, sealed by pnpm dev), nor what is stored.
    const expectNoSecrets = async () => {
      const html = await page.content();
      for (const value of demoSecretValues) expect(html).not.toContain(value);
      expect(html).not.toContain("ciphertext");
    };
    await expectNoSecrets();
    await expectNoHorizontalScroll();
    await screenshot("tools");

    // Seven tools, five to a page: Next shows the other two, as the API's next page has them.
    const second = await staff.admin.tools.query({ ...byName, cursor: first.nextCursor! });
    expect(second.nextCursor).toBeNull();
    await page.getByRole("button", { name: "Next →" }).click();
    await page.locator(".pager").filter({ hasText: "tools 6–7 · page 2" }).waitFor();
    await page.waitForFunction(
      (id) => document.querySelector('[aria-label="Tools"] article.tool')?.getAttribute("data-tool") === id,
      second.items[0]!.id,
    );
    expect(await shown()).toEqual(second.items.map((t) => ({ id: t.id, name: t.name, type: t.type, secrets: t.secrets })));
    expect(await page.getByRole("button", { name: "Next →" }).isDisabled()).toBe(true);
    // Every demo secret's hint has been on screen now, its value never.
    const hints = [...first.items, ...second.items].flatMap((t) => Object.values(t.secrets));
    expect(hints.toSorted()).toEqual(
      demoSecretValues
        .filter((v) => v.includes("acme"))
        .map((v) => `••••${v.slice(-4)}`)
        .toSorted(),
    );
    await expectNoSecrets();
    await screenshot("tools-page-2");

    // The type filter: exactly the API's http tools, in the URL.
    await page.locator("select[name=type]").selectOption("http");
    const http = await staff.admin.tools.query({ ...byName, type: "http" });
    expect(http.items.length).toBeGreaterThan(0);
    await page.waitForFunction((count) => {
      const all = [...document.querySelectorAll('[aria-label="Tools"] article.tool')];
      return all.length === count && all.every((a) => a.getAttribute("data-type") === "http");
    }, http.items.length);
    expect(await shown()).toEqual(http.items.map((t) => ({ id: t.id, name: t.name, type: t.type, secrets: t.secrets })));
    expect(new URL(page.url()).searchParams.get("type")).toBe("http");
    await screenshot("tools-http");

    // The name search, with the type filter.
    await page.getByPlaceholder("Search by name").fill("zendesk");
    await page.waitForFunction(() => {
      const all = [...document.querySelectorAll('[aria-label="Tools"] article.tool .tool-name')];
      return all.length === 1 && all[0]!.textContent === "zendesk_search_tickets";
    });
    await page.locator("select[name=type]").selectOption("code");
    await page.getByText("No tools match these filters.").waitFor();
    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.waitForFunction(() => document.querySelectorAll('[aria-label="Tools"] article.tool').length === 5);
    expect(new URL(page.url()).search).toBe("");

    // An agent's page lists its attached tools as admin.agentTools has them, each linking to the tool.
    const refunds = "00000001-0000-4000-8003-000000000002";
    const attached = await staff.admin.agentTools.query({ id: refunds });
    expect(attached.length).toBeGreaterThan(1);
    await page.goto(`${baseUrl}/agents/${refunds}`);
    const attachedRows = rowsOf("Attached tools");
    await attachedRows.first().waitFor();
    expect(
      await attachedRows.evaluateAll((all) =>
        all.map((r) => [r.getAttribute("data-tool"), r.querySelector("a")?.textContent, r.getAttribute("data-enabled")]),
      ),
    ).toEqual(attached.map((t) => [t.id, t.name, String(t.enabled)]));
    expect(await columnTexts("Attached tools", "Position")).toEqual(attached.map((t) => String(t.position)));
    expect(await page.content()).not.toContain(demoSecretValues[0]);
    await screenshot("agent-tools");
    await attachedRows.first().getByRole("link").click();
    await page.waitForURL(/\/tenants\/acme\/tools\?q=/);
    await page.waitForFunction((name) => {
      const all = [...document.querySelectorAll('[aria-label="Tools"] article.tool .tool-name')];
      return all.length === 1 && all[0]!.textContent === name;
    }, attached[0]!.name);
  });

  it("lists a tenant's crews from its page and opens one: process, manager, members in order with their tools, tasks in order", async () => {
    const staff = apiClient(adminToken);
    await page.goto(`${baseUrl}/tenants/acme`);
    await page.getByRole("link", { name: "Crews →" }).click();
    await page.waitForURL(/\/tenants\/acme\/crews$/);
    const byName = { tenantId: acme.id, limit: 20, sortBy: "name", sortDirection: "asc" } as const;
    const crews = await staff.admin.crews.query(byName);
    expect(crews.items.length).toBeGreaterThanOrEqual(2);
    const crewRows = rowsOf("Crews");
    await crewRows.first().waitFor();
    const shownCrews = () =>
      crewRows.evaluateAll((all) =>
        all.map((r) => ({
          id: r.getAttribute("data-crew"),
          name: r.querySelector("a")?.textContent,
          process: r.getAttribute("data-process"),
          members: Number(r.querySelector("[data-count]")?.getAttribute("data-count")),
        })),
      );
    expect(await shownCrews()).toEqual(
      crews.items.map((c) => ({ id: c.id, name: c.name, process: c.process, members: c.memberAgentIds.length })),
    );
    await screenshot("crews");

    // The process filter: exactly the API's hierarchical crews, in the URL.
    await page.locator("select[name=process]").selectOption("hierarchical");
    const hierarchical = await staff.admin.crews.query({ ...byName, process: "hierarchical" });
    expect(hierarchical.items.length).toBeGreaterThan(0);
    await page.waitForFunction((count) => {
      const all = [...document.querySelectorAll('table[aria-label="Crews"] tbody tr')];
      return all.length === count && all.every((r) => r.getAttribute("data-process") === "hierarchical");
    }, hierarchical.items.length);
    expect(new URL(page.url()).searchParams.get("process")).toBe("hierarchical");

    // The crew page, as admin.crew has it.
    const target = hierarchical.items[0]!;
    await crewRows.first().getByRole("link", { name: target.name }).click();
    await page.waitForURL(new RegExp(`/crews/${target.id}\\?tenantId=acme$`));
    const crew = await staff.admin.crew.query({ id: target.id });
    await page.getByRole("heading", { name: crew.name }).waitFor();
    expect(await page.locator("h1 .crew-process").textContent()).toBe("hierarchical");
    expect(crew.manager).not.toBeNull();
    expect(await page.locator('[data-field="Manager"] dd').textContent()).toBe(crew.manager!.name);
    expect((await statValue("Executions").textContent())!.trim()).toBe(formatCount(crew.executionCount));
    expect(crew.executionCount).toBeGreaterThan(0);
    const memberRows = rowsOf("Members");
    await memberRows.first().waitFor();
    expect(
      await memberRows.evaluateAll((all) =>
        all.map((r) => ({
          id: r.getAttribute("data-agent"),
          position: r.querySelector("td")?.textContent,
          name: r.querySelector("a")?.textContent,
          tools: [...r.querySelectorAll("[data-tool]")].map((t) => [t.getAttribute("data-tool"), t.textContent]),
        })),
      ),
    ).toEqual(
      crew.members.map((m) => ({ id: m.id, position: String(m.position), name: m.name, tools: m.tools.map((t) => [t.id, t.name]) })),
    );
    expect(crew.members.every((m) => m.tools.length > 0)).toBe(true);
    // The manager is shown apart, and is not a member.
    expect(await rowsOf("Manager").getAttribute("data-agent")).toBe(crew.manager!.id);
    expect(crew.members.map((m) => m.id)).not.toContain(crew.manager!.id);

    const tasks = page.locator('ol[aria-label="Tasks"] > li');
    expect(
      await tasks.evaluateAll((all) =>
        all.map((t) => ({
          id: t.getAttribute("data-task"),
          position: Number(t.getAttribute("data-position")),
          title: t.querySelector(".task-title")?.textContent,
          assignee: t.querySelector(".task-assignee a")?.getAttribute("data-agent"),
          expected: t.querySelector(".task-expected")?.textContent,
          context: [...t.querySelectorAll(".task-context li")].map((c) => c.getAttribute("data-task")),
          outputFormat: t.querySelector("pre.json")?.textContent ?? null,
        })),
      ),
    ).toEqual(
      crew.tasks.map((t) => ({
        id: t.id,
        position: t.position,
        title: t.title,
        assignee: t.agentId,
        expected: t.expectedOutput,
        context: t.context,
        outputFormat: t.outputFormat === null ? null : JSON.stringify(t.outputFormat, null, 2),
      })),
    );
    expect(crew.tasks.some((t) => t.outputFormat !== null) && crew.tasks.some((t) => t.context.length > 0)).toBe(true);

    // Its crew runs, as admin.executions has them (crew runs only, not their children).
    const runs = (await staff.admin.executions.query({ crewId: crew.id, limit: 50 })).items.filter((r) => r.parentExecutionId === null);
    await rowsOf("Crew runs").first().waitFor();
    expect(await rowsOf("Crew runs").evaluateAll((all) => all.map((r) => r.getAttribute("data-execution")))).toEqual(runs.map((r) => r.id));
    await screenshot("crew");
  });

  it("opens a crew run: its crew, its child runs linking to each, a child linking back; steps name their task", async () => {
    const staff = apiClient(adminToken);
    const escalation = "00000001-0000-4000-8007-000000000001";
    const crew = await staff.admin.crew.query({ id: escalation });
    const runs = (await staff.admin.executions.query({ crewId: escalation, limit: 50 })).items.filter((r) => r.parentExecutionId === null);
    const failed = runs.find((r) => r.status === "failed");
    const succeeded = runs.find((r) => r.status === "succeeded")!;
    expect(failed).toBeDefined();
    const run = await staff.admin.execution.query({ id: succeeded.id });
    expect(run.childRuns.length).toBe(crew.tasks.length);

    await page.goto(`${baseUrl}/crews/${escalation}?tenantId=acme`);
    await rowsOf("Crew runs").first().waitFor();
    await rowsOf("Crew runs")
      .filter({ has: page.locator(`a[href="/executions/${run.id}"]`) })
      .getByRole("link")
      .click();
    await page.waitForURL(new RegExp(`/executions/${run.id}$`));
    await page.getByRole("heading", { name: `Crew run of ${crew.name}` }).waitFor();
    expect(await page.getByTestId("crew-run-links").getByRole("link", { name: crew.name }).getAttribute("href")).toBe(
      `/crews/${escalation}?tenantId=acme`,
    );
    const childRows = rowsOf("Child runs");
    await childRows.first().waitFor();
    const memberName = new Map(crew.members.map((m) => [m.id, m.name]));
    expect(
      await childRows.evaluateAll((all) =>
        all.map((r) => ({
          id: r.getAttribute("data-execution"),
          status: r.getAttribute("data-status"),
          agent: r.querySelectorAll("a")[1]?.textContent,
        })),
      ),
    ).toEqual(run.childRuns.map((c) => ({ id: c.id, status: c.status, agent: memberName.get(c.agentId!) })));
    // The crew run's tokens are its children's.
    expect(run.usage.totalTokens).toBe(run.childRuns.reduce((n, c) => n + c.usage.totalTokens, 0));
    await expectUsd(await childRows.locator("td.num:last-child").allTextContents(), "the child runs");
    await screenshot("crew-run");

    // A child run: back to its crew run; each step names its task.
    const second = run.childRuns[1]!;
    await childRows.nth(1).locator(`a[href="/executions/${second.id}"]`).click();
    await page.waitForURL(new RegExp(`/executions/${second.id}$`));
    await page.getByRole("heading", { name: new RegExp(`^Child run of ${memberName.get(second.agentId!)}`) }).waitFor();
    expect(await page.getByTestId("parent-run").getAttribute("href")).toBe(`/executions/${run.id}`);
    const child = await staff.admin.execution.query({ id: second.id });
    expect(child.parentExecutionId).toBe(run.id);
    const taskTitle = new Map(crew.tasks.map((t) => [t.id, t.title]));
    await page.locator(".step-task").first().waitFor();
    expect(await page.locator('ol[aria-label="Steps"] .step-task').allTextContents()).toEqual(
      child.steps.map((s) => `task: ${taskTitle.get(s.taskId!)}`),
    );
    expect(new Set(child.steps.map((s) => s.taskId))).toEqual(new Set([crew.tasks[1]!.id]));
    await screenshot("crew-child-run");
    await page.getByTestId("parent-run").click();
    await page.waitForURL(new RegExp(`/executions/${run.id}$`));
  });

  it("lists a tenant's conversations and opens one: messages in order, a branch as alternatives, roles, text or parts, usage", async () => {
    const staff = apiClient(adminToken);
    await page.goto(`${baseUrl}/tenants/acme`);
    await page.getByRole("link", { name: "Conversations →" }).click();
    await page.waitForURL(/\/tenants\/acme\/conversations$/);
    const conversations = await staff.admin.conversations.query({ tenantId: acme.id, limit: 20 });
    expect(conversations.items.length).toBeGreaterThanOrEqual(2);
    const rows = rowsOf("Conversations");
    await rows.first().waitFor();
    const shown = () =>
      rows.evaluateAll((all) =>
        all.map((r) => ({
          id: r.getAttribute("data-conversation"),
          title: r.querySelector("a")?.textContent,
          archived: r.getAttribute("data-archived"),
        })),
      );
    expect(await shown()).toEqual(conversations.items.map((c) => ({ id: c.id, title: c.title, archived: String(c.archivedAt !== null) })));
    expect(await columnTexts("Conversations", "Messages")).toEqual(conversations.items.map((c) => formatCount(c.messageCount)));
    expect(await columnTexts("Conversations", "Tokens")).toEqual(conversations.items.map((c) => formatCount(c.totalTokens)));
    expect(await columnTexts("Conversations", "Cost")).toEqual(conversations.items.map((c) => formatUsd(c.costUsd)));
    await screenshot("conversations");

    await page.locator("select[name=archived]").selectOption("true");
    const archived = await staff.admin.conversations.query({ tenantId: acme.id, limit: 20, archived: true });
    expect(archived.items.length).toBeGreaterThan(0);
    await page.waitForFunction((count) => {
      const all = [...document.querySelectorAll('table[aria-label="Conversations"] tbody tr')];
      return all.length === count && all.every((r) => r.getAttribute("data-archived") === "true");
    }, archived.items.length);
    await page.locator("select[name=archived]").selectOption("");

    // The demo conversation with a branch (two answers to one question) and a run.
    const refund = "00000001-0000-4000-800a-000000000001";
    const conversation = conversations.items.find((c) => c.id === refund)!;
    await page.locator(`tr[data-conversation="${refund}"] a`).first().click();
    await page.waitForURL(new RegExp(`/tenants/acme/conversations/${refund}$`));
    await page.getByRole("heading", { name: conversation.title }).waitFor();
    const messages = (await staff.admin.conversationMessages.query({ conversationId: refund, limit: 100 })).items.toSorted(
      (a, b) => a.seq - b.seq,
    );
    expect(messages.length).toBe(conversation.messageCount);
    const cards = page.locator('ol[aria-label="Messages"] article.message');
    await cards.first().waitFor();
    const seqOf = new Map(messages.map((m) => [m.id, m.seq]));
    expect(
      await cards.evaluateAll((all) =>
        all.map((a) => ({
          id: a.getAttribute("data-message"),
          seq: Number(a.getAttribute("data-seq")),
          role: a.getAttribute("data-role"),
          parent: a.getAttribute("data-parent-seq"),
          content: a.querySelector(".message-content")?.textContent ?? null,
          parts: a.querySelector("pre.json")?.textContent ?? null,
          usage: a.querySelector(".message-usage") && [
            Number(a.querySelector(".message-usage")!.getAttribute("data-input")),
            Number(a.querySelector(".message-usage")!.getAttribute("data-output")),
          ],
        })),
      ),
    ).toEqual(
      messages.map((m) => ({
        id: m.id,
        seq: m.seq,
        role: m.role,
        parent: m.parentMessageId ? String(seqOf.get(m.parentMessageId)) : "",
        content: m.content,
        parts: m.parts === null ? null : JSON.stringify(m.parts, null, 2),
        usage: m.role === "assistant" ? [m.inputTokens, m.outputTokens] : null,
      })),
    );
    expect(new Set(messages.map((m) => m.role))).toEqual(new Set(["system", "user", "assistant", "tool"]));
    // The branch: the answers sharing a parent, grouped as alternatives.
    const siblings = messages.filter((m) => m.parentMessageId === messages[1]!.id);
    expect(siblings.length).toBe(2);
    const branch = page.locator(`li.branch[data-parent-seq="${messages[1]!.seq}"]`);
    expect(await branch.locator("article.message").evaluateAll((all) => all.map((a) => a.getAttribute("data-message")))).toEqual(
      siblings.map((m) => m.id),
    );
    expect(await branch.locator(".message-alternative").allTextContents()).toEqual(["alternative 1 of 2", "alternative 2 of 2"]);
    // The answer a run produced links to the run, which was made in this conversation.
    const linked = messages.find((m) => m.executionId !== null)!;
    const runLink = page.locator(`article[data-message="${linked.id}"] .message-usage a`);
    expect(await runLink.getAttribute("href")).toBe(`/executions/${linked.executionId}`);
    expect((await staff.admin.execution.query({ id: linked.executionId! })).conversationId).toBe(refund);
    expect((await statValue("Messages").textContent())!.trim()).toBe(formatCount(conversation.messageCount));
    expect((await statValue("Tokens").textContent())!.trim()).toBe(formatCount(conversation.totalTokens));
    expect((await statValue("Cost").textContent())!.trim()).toBe(formatUsd(conversation.costUsd));
    await screenshot("conversation");
  });

  it("lists the pause in the audit log", async () => {
    await nav("Audit log").click();
    await page.waitForURL(/\/audit-log$/);
    const entries = rowsOf("Audit log");
    await entries.first().waitFor();
    expect(await entries.count()).toBe(1);
    expect(await entries.first().textContent()).toContain("active → paused");
    // Names, not ids: who (staff member and their tenant), which tenant, which agent; the ids on hover.
    const entry = entries.first();
    expect((await entry.locator("td.actor").textContent())!.trim()).toBe("Ada Admin (Acme Corp)");
    expect(await entry.locator("td.actor").getAttribute("title")).toBe(`user ${acme.admin} · tenant acme`);
    expect((await entry.locator("td.target-tenant").textContent())!.trim()).toBe("Acme Corp");
    expect(await entry.locator("td.target-tenant a").getAttribute("title")).toBe("tenant acme");
    const target = entry.locator("td.target a");
    expect((await target.textContent())!.trim()).toBe(`agent ${pausedAgent.name}`);
    expect(await target.getAttribute("title")).toBe(`agent ${pausedAgent.id}`);
    expect(await entry.textContent()).not.toMatch(/[0-9a-f]{8}…[0-9a-f]{4}/);
    await screenshot("audit-log");
  });

  it("shows database health and migration state, and runs the retention cleanup", async () => {
    await nav("Maintenance").click();
    await page.waitForURL(/\/maintenance$/);
    await page.getByText("reachable", { exact: true }).waitFor();
    expect(await page.locator(".badge-health-ok").textContent()).toBe("ok");
    await page.getByText("none pending", { exact: false }).waitFor();

    // Seeded executions span 60 days: a 30-day cleanup deletes some, keeps lifetime usage.
    const staff = apiClient(adminToken);
    const usageBefore = await apiClient(memberToken).usage.tenant.query();
    const before = await staff.admin.executions.query({
      tenantId: acme.id,
      to: new Date(Date.now() - 30 * 86_400_000).toISOString(),
      limit: 100,
    });
    expect(before.items.length).toBeGreaterThan(0);
    const retention = page.getByTestId("retention");
    await retention.getByRole("spinbutton").fill("30");
    await retention.getByRole("button", { name: "Run cleanup" }).click();
    await retention.getByRole("status").filter({ hasText: "older than 30 days in all tenants" }).waitFor();
    await screenshot("maintenance");
    await retention.getByRole("button", { name: "Delete", exact: true }).click();
    const result = page.getByTestId("retention-result");
    await result.waitFor();
    expect(await result.textContent()).toMatch(/Deleted [1-9][\d,]* executions/);
    const after = await staff.admin.executions.query({
      tenantId: acme.id,
      to: new Date(Date.now() - 30 * 86_400_000).toISOString(),
      limit: 100,
    });
    expect(after.items).toEqual([]);
    expect((await apiClient(memberToken).usage.tenant.query()).lifetime).toEqual(usageBefore.lifetime);
    expect((await staff.admin.auditLog.query({ limit: 5 })).items[0]).toMatchObject({ action: "maintenance.retention" });
    await screenshot("maintenance-after-retention");

    // The run's entries name the tenants they changed.
    await nav("Audit log").click();
    const run = rowsOf("Audit log").filter({ has: page.locator("code", { hasText: "maintenance.retention" }) });
    await run.first().waitFor();
    const targets = (await run.locator("td.target").allTextContents()).map((t) => t.trim());
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) expect(["tenant Acme Corp", "tenant Globex"]).toContain(target);
    await screenshot("audit-log-after-retention");
  });

  it("shows the day filters as yyyy-mm-dd whatever the browser's locale", async () => {
    // A German browser draws <input type="date"> as dd.mm.yyyy, an American one as mm/dd/yyyy.
    const context = await browser.newContext({ locale: "de-DE", viewport: { width: 1280, height: 800 } });
    try {
      const german = await context.newPage();
      await german.goto(`${baseUrl}/executions?tenantId=acme&from=2026-11-03&to=2026-11-20&token=${adminToken}`);
      await german.getByRole("heading", { name: "Executions" }).waitFor();
      await german.locator('table[aria-label="Executions"] tbody tr, .state-empty').first().waitFor();
      expect(await german.evaluate(() => navigator.language)).toBe("de-DE");
      expect(await german.locator('input[name="from"]').inputValue()).toBe("2026-11-03");
      expect(await german.locator('input[name="to"]').inputValue()).toBe("2026-11-20");
      expect(await german.locator('input[name="from"]').getAttribute("type")).toBe("text");
      await german.screenshot({ path: join(screenshotDir, "executions-day-filters-de-DE.png"), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it("lists model prices in effect (global and tenants' overrides) and the unpriced models of the last 30 days, as the API has them", async () => {
    const staff = apiClient(adminToken);
    const acmeService = apiClient(await api.token({ sub: crypto.randomUUID(), tid: acme.id, role: "service" }));
    const member = apiClient(memberToken);
    // A global price, acme's override of it, and a run of acme's on a model nobody prices.
    const model = "zz-e2e-model";
    const global = await staff.admin.createModel.mutate({
      provider: "custom",
      modelName: model,
      matchPatterns: [model, `${model}-%`],
      prices: { input: 0.075, output: 0.3, cachedInput: 0.01875, reasoning: 1.2 },
      tiers: [{ inputTokensAbove: 128_000, input: 0.15 }],
      validFrom: "2026-01-01T00:00:00Z",
    });
    const override = await acmeService.models.create.mutate({ provider: "custom", modelName: model, prices: { input: 0.05, output: 0.2 } });
    const unpricedModel = "zz-e2e-unpriced";
    const spaceId = (await staff.admin.tenant.query({ tenantId: acme.id })).spaces[0]!.id;
    const agent = await member.agents.create.mutate({
      name: "Unpriced e2e",
      spaceId,
      llmConfig: { provider: "openai", model: unpricedModel },
    });
    await member.agents.setStatus.mutate({ id: agent.id, status: "active" });
    const run = await member.executions.start.mutate({ agentId: agent.id, input: "q" });
    // Failed, not succeeded: the laptop check below opens the newest succeeded run for its steps.
    await member.executions.fail.mutate({ id: run.id, error: { message: "e2e" }, usage: { inputTokens: 1200, outputTokens: 300 } });

    // Signed in by the link (the block also runs alone, with -t), then to the page by the main navigation.
    await page.goto(`${baseUrl}/?token=${adminToken}`);
    await nav("Models").click();
    await page.waitForURL(/\/models$/);
    const prices = rowsOf("Model prices");
    await prices.first().waitFor();
    // The first page, row by row, as admin.models gives it (the shipped rows synced at migrate among them).
    const firstPage = await staff.admin.models.query({ limit: 50 });
    expect(firstPage.items.length).toBeGreaterThan(0);
    const shownRows = () =>
      prices.evaluateAll((all) =>
        all.map((tr) => ({
          id: tr.getAttribute("data-model"),
          scope: tr.getAttribute("data-scope"),
          patterns: tr.querySelector("[data-patterns]")?.getAttribute("data-patterns"),
          cells: [...tr.querySelectorAll("[data-price]")].map((td) => td.textContent?.trim()),
        })),
      );
    const expected = (items: typeof firstPage.items) =>
      items.map((m) => ({
        id: m.id,
        scope: m.scope,
        patterns: m.matchPatterns.join(" "),
        cells: [m.prices.input, m.prices.output, m.prices.cachedInput, m.prices.cacheWrite, m.prices.reasoning].map((p) =>
          p === null ? "–" : formatPricePerMillion(p),
        ),
      }));
    expect(await shownRows()).toEqual(expected(firstPage.items));
    expect(await columnTexts("Model prices", "Provider")).toEqual(firstPage.items.map((m) => m.provider));
    await expectNoHorizontalScroll();
    await screenshot("models");

    // Searched by name: the global row first, then acme's override; the global row says a tenant overrides it.
    await page.getByPlaceholder("Search by model name").fill(model);
    await page.waitForFunction(
      (ids) =>
        [...document.querySelectorAll('table[aria-label="Model prices"] tbody tr')].map((tr) => tr.getAttribute("data-model")).join() ===
        ids,
      [global.id, override.id].join(),
    );
    const searched = await staff.admin.models.query({ limit: 50, q: model });
    expect(searched.items.map((m) => [m.id, m.scope, m.tenantId, m.tenantOverrides])).toEqual([
      [global.id, "global", null, 1],
      [override.id, "tenant", acme.id, 0],
    ]);
    expect(await shownRows()).toEqual(expected(searched.items));
    expect(await prices.first().locator("td").nth(3).textContent()).toBe("$0.075");
    expect(await prices.first().locator("td").nth(5).textContent()).toBe("$0.01875");
    expect(await prices.first().locator("[data-overrides]").textContent()).toContain("overridden by 1 tenant");
    expect(await prices.locator(".source").allTextContents()).toEqual(["staff", "tenant"]);
    expect(await prices.locator(".scope").allTextContents()).toEqual(["global", "Acme Corp"]);
    expect(await columnTexts("Model prices", "Valid from")).toEqual(searched.items.map((m) => formatDateTime(m.validFrom)));
    expect(new URL(page.url()).searchParams.get("q")).toBe(model);
    await screenshot("models-search");

    // As globex's prices come: the global row alone, overridden by no one there.
    await page.locator("select[name=tenantId]").selectOption("globex");
    await page.waitForFunction((id) => {
      const rows = [...document.querySelectorAll('table[aria-label="Model prices"] tbody tr')];
      return rows.length === 1 && rows[0]!.getAttribute("data-model") === id && !rows[0]!.querySelector("[data-overrides]");
    }, global.id);

    // The unpriced models, as admin.unpricedModels has them: the run above among them, with its count.
    const unpriced = await staff.admin.unpricedModels.query({ days: 30 });
    const mine = unpriced.items.find((m) => m.model === unpricedModel);
    expect(mine).toMatchObject({ executions: 1, tenants: 1, providers: ["openai"], pricedNowBy: null });
    const unpricedRows = rowsOf("Unpriced models");
    await unpricedRows.first().waitFor();
    expect(await unpricedRows.evaluateAll((all) => all.map((tr) => tr.getAttribute("data-model")))).toEqual(
      unpriced.items.map((m) => m.model),
    );
    expect(await columnTexts("Unpriced models", "Executions")).toEqual(unpriced.items.map((m) => formatCount(m.executions)));
    expect(await columnTexts("Unpriced models", "Tenants")).toEqual(unpriced.items.map((m) => formatCount(m.tenants)));
    expect(await columnTexts("Unpriced models", "Last seen")).toEqual(unpriced.items.map((m) => formatDateTime(m.lastSeenAt)));
    await page.locator(`table[aria-label="Unpriced models"] tr[data-model="${unpricedModel}"]`).scrollIntoViewIfNeeded();
    await screenshot("models-unpriced");
    await page.setViewportSize({ width: 1366, height: 768 });
    await expectNoHorizontalScroll();
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it("explains a missing agent", async () => {
    await page.goto(`${baseUrl}/agents/00000000-0000-4000-8000-000000000000`);
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toContain("Not found");
    await screenshot("agent-not-found");
  });

  it("shows an execution's cost: provided against computed, the model, unit prices per line; an unknown cost reads unpriced, lists too", async () => {
    const staff = apiClient(adminToken);
    const member = apiClient(memberToken);
    const spaceId = (await staff.admin.tenant.query({ tenantId: acme.id })).spaces[0]!.id;
    const agent = await member.agents.create.mutate({ name: "Cost e2e", spaceId, llmConfig: { provider: "openai", model: "gpt-4o" } });
    // Steps of two models, priced at the shipped rows: the agent's gpt-4o and a reported claude-haiku-4-5.
    const run = await member.executions.start.mutate({ agentId: agent.id, input: "q" });
    await member.executions.appendSteps.mutate({
      executionId: run.id,
      steps: [
        { type: "thought", data: "plan", inputTokens: 1_000, cachedInputTokens: 400, outputTokens: 100 },
        {
          type: "action",
          data: "call",
          model: "claude-haiku-4-5-20251001",
          inputTokens: 2_000,
          cacheWriteTokens: 1_000,
          outputTokens: 300,
        },
      ],
    });
    await member.executions.complete.mutate({ id: run.id, output: "a" });
    const unknown = await member.executions.start.mutate({ agentId: agent.id, input: "q2" });
    // A step, so the laptop check below, which opens acme's newest succeeded run, has a timeline to wait for.
    await member.executions.appendSteps.mutate({ executionId: unknown.id, steps: [{ type: "message", data: "answer" }] });
    await member.executions.complete.mutate({
      id: unknown.id,
      output: "b",
      usage: { model: "zz-e2e-cost-unknown", inputTokens: 10, outputTokens: 5 },
    });

    // Signed in by the link (the block also runs alone, with -t).
    await page.goto(`${baseUrl}/executions/${run.id}?token=${adminToken}`);
    const breakdown = page.locator('table[aria-label="Cost breakdown"]');
    await breakdown.waitFor();
    const detail = await staff.admin.execution.query({ id: run.id });
    // gpt-4o 600 × 2.5 + 400 × 1.25 + 100 × 10 = 3,000; claude-haiku-4-5 1,000 × 1 + 1,000 × 1.25 + 300 × 5 = 3,750 (per 1e6)
    expect(detail.cost).toMatchObject({ providedUsd: null, computedUsd: 0.00675 });
    expect((await statValue("Cost").first().textContent())!.trim()).toBe(formatUsd(0.00675));
    expect(await breakdown.locator('tr[data-cost="provided"] td').first().textContent()).toBe("none");
    const computed = await breakdown.locator('tr[data-cost="computed"]').textContent();
    expect(computed).toContain(formatUsd(0.00675));
    expect(computed).toContain("the sum of its steps' costs");
    expect(await breakdown.textContent()).toContain("gpt-4o");
    const lines = rowsOf("Pricing lines");
    expect(await lines.evaluateAll((rows) => rows.map((r) => r.getAttribute("data-line-model")))).toEqual([
      "claude-haiku-4-5-20251001",
      "gpt-4o",
    ]);
    expect(await columnTexts("Pricing lines", "Cost")).toEqual(detail.cost.pricing!.lines.map((l) => formatUsd(l.costUsd!)));
    const unitPrices = await columnTexts("Pricing lines", "Unit prices (USD / 1M tokens)");
    expect(unitPrices[0]).toContain("cache write $1.25");
    expect(unitPrices[1]).toContain("in $2.5 · cached $1.25 · out $10");
    const steps = page.locator('ol[aria-label="Steps"] > li');
    expect(await steps.nth(1).textContent()).toContain("claude-haiku-4-5-20251001");
    await expectNoHorizontalScroll();
    await screenshot("execution-cost");

    // Unknown: the model has no price and the caller gave none. Never $0.
    await page.goto(`${baseUrl}/executions/${unknown.id}`);
    await breakdown.waitFor();
    expect((await statValue("Cost").first().textContent())!.trim()).toBe("unpriced");
    expect(await breakdown.locator('tr[data-cost="computed"] td').first().textContent()).toBe("unpriced");
    expect(await rowsOf("Pricing lines").first().textContent()).toContain("no price");
    await screenshot("execution-unpriced");

    // The agent's executions list: the unknown one reads unpriced, the priced one its amount.
    await page.goto(`${baseUrl}/agents/${agent.id}`);
    await rowsOf("Executions").nth(1).waitFor();
    const costs = await columnTexts("Executions", "Cost");
    expect(costs.map((c) => c.trim()).sort()).toEqual([formatUsd(0.00675), "unpriced"].sort());
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(`${baseUrl}/executions/${run.id}`);
    await breakdown.waitFor();
    await expectNoHorizontalScroll();
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it("fits a laptop screen (1366x768) without a horizontal scrollbar on any page", async () => {
    await page.setViewportSize({ width: 1366, height: 768 });
    const executionId = (await apiClient(adminToken).admin.executions.query({ tenantId: "acme", status: "succeeded", limit: 1 })).items[0]!
      .id;
    const agentId = "00000001-0000-4000-8003-000000000001";
    for (const [url, ready] of [
      ["/", 'table[aria-label="Tenants"] tbody tr'],
      ["/tenants/acme", 'table[aria-label="Agents"] tbody tr'],
      ["/tenants/acme/tools", '[aria-label="Tools"] article.tool'],
      ["/tenants/acme/crews", 'table[aria-label="Crews"] tbody tr'],
      ["/crews/00000001-0000-4000-8007-000000000002?tenantId=acme", 'ol[aria-label="Tasks"] > li'],
      ["/tenants/acme/conversations", 'table[aria-label="Conversations"] tbody tr'],
      ["/tenants/acme/conversations/00000001-0000-4000-800a-000000000001", 'ol[aria-label="Messages"] article.message'],
      ["/executions/00000001-0000-4000-800c-000000002774", 'table[aria-label="Child runs"] tbody tr'],
      [`/agents/${agentId}`, "figure.chart .recharts-bar-rectangle"],
      [`/executions/${executionId}`, 'ol[aria-label="Steps"] > li'],
      ["/executions", 'table[aria-label="Executions"] tbody tr'],
      ["/audit-log", 'table[aria-label="Audit log"] tbody tr'],
      ["/maintenance", ".badge-health-ok"],
    ] as const) {
      await page.goto(`${baseUrl}${url}`);
      await page.locator(ready).first().waitFor();
      await expectNoHorizontalScroll();
    }
    await page.goto(`${baseUrl}/`);
    await page.locator("figure.chart .recharts-bar-rectangle").first().waitFor();
    await screenshot("overview-1366x768");
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it("shows budgets on the agent and tenant pages: spend against limit, a bar green below the threshold, amber past it, red at the limit", async () => {
    const member = apiClient(memberToken);
    const acmeService = apiClient(await api.token({ sub: crypto.randomUUID(), tid: acme.id, role: "service" }));
    const spaceId = (await apiClient(adminToken).admin.tenant.query({ tenantId: acme.id })).spaces[0]!.id;
    const agent = await member.agents.create.mutate({ name: "Budget e2e", spaceId, llmConfig: { provider: "openai", model: "gpt-4o" } });
    await member.agents.setStatus.mutate({ id: agent.id, status: "active" });
    const run = await member.executions.start.mutate({ agentId: agent.id, input: "q" });
    // Failed, not succeeded (a failed run's cost counts as well): the laptop check opens the newest succeeded run for its steps.
    await member.executions.fail.mutate({
      id: run.id,
      error: { message: "e2e" },
      usage: { inputTokens: 10, outputTokens: 5 },
      costUsd: 0.85,
    });
    // $0.85 spent: 8.5% of $10 (ok), 85% of $1 with an 80% alert (threshold), 170% of $0.50 (exceeded).
    const create = (name: string, limitUsd: number, fields: { enforcement: "hard" | "soft"; alertThresholdPercent?: number }) =>
      acmeService.budgets.create.mutate({ name, scope: "agent", agentId: agent.id, period: "monthly", limitUsd, ...fields });
    const budgets = [
      { budget: await create("E2E roomy", 10, { enforcement: "soft" }), state: "ok", text: "$0.8500 of $10.0000 (8.5%)", width: "8.5%" },
      {
        budget: await create("E2E alert", 1, { enforcement: "soft", alertThresholdPercent: 80 }),
        state: "threshold",
        text: "$0.8500 of $1.0000 (85%)",
        width: "85%",
      },
      {
        budget: await create("E2E cap", 0.5, { enforcement: "hard" }),
        state: "exceeded",
        text: "$0.8500 of $0.5000 (170%)",
        width: "100%",
      },
    ];
    const shown = () =>
      page.locator('table[aria-label="Budgets"] tbody tr').evaluateAll((rows) =>
        rows.map((tr) => ({
          id: tr.getAttribute("data-budget-id"),
          bar: tr.querySelector(".budget-bar")?.className,
          width: (tr.querySelector(".budget-bar-fill") as HTMLElement | null)?.style.width,
          text: tr.querySelector(".budget-spend .small")?.textContent,
        })),
      );
    const expectBars = async () => {
      const rows = await shown();
      for (const { budget, state, text, width } of budgets) {
        expect(rows.find((r) => r.id === budget.id)).toEqual({
          id: budget.id,
          bar: `budget-bar budget-${state}`,
          width,
          text: expect.stringContaining(text),
        });
      }
      return rows;
    };

    // The agent page: its own budgets, and acme's demo tenant budget, which its runs also answer to.
    await page.goto(`${baseUrl}/agents/${agent.id}?token=${adminToken}`);
    await page.locator('table[aria-label="Budgets"] tbody tr').nth(3).waitFor();
    const onAgent = await expectBars();
    expect(onAgent).toHaveLength(4);
    expect(await page.locator('table[aria-label="Budgets"]').textContent()).toContain("Monthly spend");
    expect(await page.locator(`tr[data-budget-id="${budgets[2]!.budget.id}"]`).textContent()).toContain("limit reached");
    expect(await page.locator(`tr[data-budget-id="${budgets[1]!.budget.id}"] .budget-bar-threshold`).getAttribute("style")).toContain(
      "left: 80%",
    );
    // Reset time as the panel writes times: minutes, UTC.
    const resets = `${budgets[0]!.budget.status.resetsAt.slice(0, 16).replace("T", " ")} UTC`;
    expect(await page.locator(`tr[data-budget-id="${budgets[0]!.budget.id}"]`).textContent()).toContain(resets);
    // The colours themselves: green, amber and red from the panel's palette.
    const colours = await page.evaluate(
      (ids) => ids.map((id) => getComputedStyle(document.querySelector(`tr[data-budget-id="${id}"] .budget-bar-fill`)!).backgroundColor),
      budgets.map((b) => b.budget.id),
    );
    expect(colours).toEqual(["rgb(47, 158, 110)", "rgb(183, 121, 31)", "rgb(197, 48, 48)"]);
    await expectNoHorizontalScroll();
    await screenshot("agent-budgets");

    // The tenant page: every budget of acme's, these three and the demo's two.
    await page.goto(`${baseUrl}/tenants/acme`);
    await page.locator('table[aria-label="Budgets"] tbody tr').nth(4).waitFor();
    expect(await expectBars()).toHaveLength(5);
    await expectNoHorizontalScroll();
    await screenshot("tenant-budgets");
    for (const { budget } of budgets) await acmeService.budgets.delete.mutate({ id: budget.id });
    await member.agents.setStatus.mutate({ id: agent.id, status: "archived" });
  });

  it("signs out, and a ?token= link signs straight in to the page it names", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in$/);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.goto(`${baseUrl}/tenants/globex`);
    await page.waitForURL(/\/sign-in$/);

    await page.goto(`${baseUrl}/tenants/globex?token=${adminToken}`);
    await page.getByRole("heading", { name: /Globex/ }).waitFor();
    // Signed in, on the page the link named, and the token is gone from the address bar.
    expect(page.url()).toBe(`${baseUrl}/tenants/globex`);
    expect(await page.evaluate(() => sessionStorage.getItem("agent-builder.admin.token"))).toBe(adminToken);
  });
});
