/**
 * Fresh, migrated databases for tests. DB tests run on PGlite always and, when DATABASE_URL is
 * set, on that Postgres twice: through node-postgres and through Neon's driver (WebSocket, via a
 * local proxy standing in for Neon's). `prepareTestDatabases` (vitest globalSetup) migrates
 * once: a PGlite data-dir dump and a Postgres template database; each test file then gets its
 * own copy.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { is } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import pg from "pg";
import ws from "ws";

import { connectPostgres, openPglite } from "./client";
import type { DatabaseHandle, QueryLogger } from "./database";
import { connectNeon } from "./neon";
import { useLocalNeonProxy } from "./neon-edge";
import { type NeonProxy, startNeonProxy } from "./neon-proxy";
import * as schema from "./schema";

export type TestTarget = "pglite" | "postgres" | "neon";

export interface SchemaTenantTable {
  name: string;
  /** Its primary key columns, in key order: what orders its rows deterministically. */
  primaryKey: string[];
}

/**
 * Every table of the Drizzle schema that holds a tenant's rows: each with a `tenant_id` column,
 * and `tenants` itself (its `id` is the tenant), sorted by name. Derived, so a new domain's table
 * is covered by the tests that use it (row-level security, tenant snapshots) without editing a list.
 */
export const schemaTenantTables: SchemaTenantTable[] = Object.values(schema as Record<string, unknown>)
  .filter((value): value is PgTable => is(value, PgTable))
  .map((table) => getTableConfig(table))
  .filter((table) => table.name === "tenants" || table.columns.some((column) => column.name === "tenant_id"))
  .map((table) => ({
    name: table.name,
    primaryKey: [
      ...table.columns.filter((column) => column.primary).map((column) => column.name),
      ...table.primaryKeys.flatMap((key) => key.columns.map((column) => column.name)),
    ],
  }))
  .sort((a, b) => (a.name < b.name ? -1 : 1));

const dumpDir = fileURLToPath(new URL("../../../.data/test", import.meta.url));
/**
 * Every test run has its own names (template, databases, PGlite dump), keyed by the pid of the
 * process that ran the global setup, so two runs on one machine (a developer and CI, or two
 * watchers) never drop each other's databases. Workers inherit the id through the environment.
 */
const runIdVariable = "AGENT_BUILDER_TEST_RUN";
const databasePrefix = "agent_builder_test_";

function runId(): string {
  const id = process.env[runIdVariable];
  if (!id) throw new Error(`${runIdVariable} is not set: run tests through vitest (its global setup prepares the databases)`);
  return id;
}
const templateName = () => `${databasePrefix}${runId()}_template`;
const pgliteDumpFile = () => `${dumpDir}/pglite-migrated-${runId()}.tar.gz`;

export function testTargets(): TestTarget[] {
  return process.env.DATABASE_URL ? ["pglite", "postgres", "neon"] : ["pglite"];
}

function serverUrl(database: string): string {
  if (!process.env.DATABASE_URL) throw new Error("DATABASE_URL is not set: Postgres test databases need a server");
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function onMaintenanceConnection<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function prepareTestDatabases(): Promise<void> {
  process.env[runIdVariable] ??= String(process.pid);
  mkdirSync(dumpDir, { recursive: true });
  const pglite = await openPglite();
  await pglite.migrate();
  const dump = await pglite.client.dumpDataDir("gzip");
  writeFileSync(pgliteDumpFile(), Buffer.from(await dump.arrayBuffer()));
  await pglite.close();

  if (!process.env.DATABASE_URL) return;
  await dropLeftoverDatabases();
  await onMaintenanceConnection((c) => c.query(`create database ${templateName()}`));
  const template = connectPostgres({ url: serverUrl(templateName()), max: 1 });
  await template.migrate();
  await template.close();
}

/** Global teardown: this run's dump and databases go, and those of runs that died. */
export async function finishTestRun(): Promise<void> {
  rmSync(pgliteDumpFile(), { force: true });
  await dropLeftoverDatabases();
}

/** Drops this run's databases and those of runs whose process has died (crashed or killed runs). */
async function dropLeftoverDatabases(): Promise<void> {
  if (!process.env.DATABASE_URL) return;
  await onMaintenanceConnection(async (c) => {
    const { rows } = await c.query<{ datname: string }>(`select datname from pg_database where datname like $1`, [`${databasePrefix}%`]);
    for (const { datname } of rows) {
      const owner = /^agent_builder_test_(\d+)_/.exec(datname)?.[1];
      if (owner !== runId() && owner !== undefined && isAlive(Number(owner))) continue;
      await c.query(`drop database if exists "${datname}" with (force)`);
    }
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface TestDatabase extends DatabaseHandle {
  target: TestTarget;
  /** Connection string of this test's own Postgres database (postgres and neon targets). */
  url?: string;
  /** "host:port" of the WebSocket proxy the Neon driver goes through (neon target). */
  wsProxy?: string;
}

let counter = 0;

export async function createTestDatabase(
  target: TestTarget,
  options: { poolMax?: number; logger?: QueryLogger; connectionTimeoutMs?: number } = {},
): Promise<TestDatabase> {
  if (target === "pglite") {
    const handle = await openPglite({ loadDataDir: new Blob([readFileSync(pgliteDumpFile())]), logger: options.logger });
    return { ...handle, target };
  }
  const name = `${databasePrefix}${runId()}_${process.pid}_${Date.now()}_${counter++}`;
  await onMaintenanceConnection((c) => c.query(`create database ${name} template ${templateName()}`));
  const url = serverUrl(name);
  const connection = { url, max: options.poolMax ?? 20, logger: options.logger, connectionTimeoutMs: options.connectionTimeoutMs };
  const wsProxy = target === "neon" ? await acquireNeonProxy() : undefined;
  const handle = target === "neon" ? connectNeon(connection) : connectPostgres(connection);
  return {
    ...handle,
    target,
    url,
    wsProxy,
    close: async () => {
      await handle.close();
      if (target === "neon") await releaseNeonProxy();
      await onMaintenanceConnection((c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}

/**
 * One WebSocket-to-TCP proxy per process, started by the first Neon test database and closed
 * with the last one. The driver's settings are process-wide; each Neon database points them at it.
 */
let neonProxy: { proxy: Promise<NeonProxy>; users: number } | undefined;

async function acquireNeonProxy(): Promise<string> {
  neonProxy ??= { proxy: startNeonProxy(), users: 0 };
  neonProxy.users++;
  const { address } = await neonProxy.proxy;
  useLocalNeonProxy(address, ws);
  return address;
}

async function releaseNeonProxy(): Promise<void> {
  if (!neonProxy || --neonProxy.users > 0) return;
  const { proxy } = neonProxy;
  neonProxy = undefined;
  await (await proxy).close();
}
