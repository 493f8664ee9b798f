/**
 * Shared by the benchmarks: their own databases on the local Postgres (never any other), timing
 * and percentile helpers. BENCH_PG_URL points at the server (default the local trust setup).
 */
import http from "node:http";

import pg from "pg";

import { connectPostgres, type DatabaseHandle, type QueryLogger } from "@agent-builder/db";

export const serverUrl = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** Every benchmark database is named agent_builder_bench*; nothing else is created or dropped. */
export function benchDbName(suffix = ""): string {
  const name = `agent_builder_bench${suffix ? `_${suffix}` : ""}`;
  if (!/^agent_builder_bench(_[a-z0-9_]+)?$/.test(name)) throw new Error(`bad bench database name ${name}`);
  return name;
}

export function urlOf(database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function maintenance<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function databaseExists(name: string): Promise<boolean> {
  return maintenance(async (c) => (await c.query("select 1 from pg_database where datname = $1", [name])).rowCount === 1);
}

/** Drops (if present) and creates the database, then applies every migration. */
export async function freshDatabase(name: string): Promise<string> {
  if (!name.startsWith("agent_builder_bench")) throw new Error("refusing to touch a non-bench database");
  await maintenance(async (c) => {
    await c.query(`drop database if exists "${name}" with (force)`);
    await c.query(`create database "${name}"`);
  });
  const url = urlOf(name);
  const handle = connectPostgres({ url, max: 1 });
  await handle.migrate();
  await handle.close();
  return url;
}

export function connect(url: string, max: number, logger?: QueryLogger): DatabaseHandle {
  return connectPostgres({ url, max, logger });
}

export async function withClient<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarise(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), max: s[s.length - 1] ?? NaN };
}

export const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function banner(title: string) {
  console.log(`\n=== ${title} ===`);
}

export function machine(): string {
  return `node ${process.version}, ${process.platform}/${process.arch}`;
}

/** Runs `worker(i)` for i in [0, n) concurrently until `deadline`; returns the number of operations. */
export async function runFor(
  durationMs: number,
  concurrency: number,
  op: (worker: number) => Promise<boolean>,
): Promise<{ ops: number; ms: number }> {
  const started = performance.now();
  const deadline = started + durationMs;
  let ops = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      while (performance.now() < deadline) {
        if (!(await op(w))) return;
        ops++;
      }
    }),
  );
  return { ops, ms: performance.now() - started };
}

/** Base tenant rows for a benchmark database: tenant, one user, one space, `agents` active agents. */
export async function createTenant(
  c: pg.Client,
  tenantId: string,
  agents: number,
): Promise<{ userId: string; spaceId: string; agentIds: string[] }> {
  const userId = crypto.randomUUID();
  const spaceId = crypto.randomUUID();
  await c.query("insert into tenants (id, name) values ($1, $1) on conflict do nothing", [tenantId]);
  await c.query("insert into users (id, tenant_id, email, role) values ($1, $2, $3, 'member')", [
    userId,
    tenantId,
    `bench@${tenantId}.test`,
  ]);
  await c.query("insert into spaces (id, tenant_id, name) values ($1, $2, 'Bench')", [spaceId, tenantId]);
  const { rows } = await c.query<{ id: string }>(
    `insert into agents (tenant_id, name, status, owner_id, space_id, llm_config)
     select $1, 'Agent ' || g, 'active', $2, $3, '{"provider":"openai","model":"gpt-4.1-mini"}'::jsonb
     from generate_series(1, $4::int) g returning id`,
    [tenantId, userId, spaceId, agents],
  );
  return { userId, spaceId, agentIds: rows.map((r) => r.id) };
}

/**
 * The benchmarks' HTTP load generator: one tRPC POST over a keep-alive node:http agent, like
 * autocannon or k6 would send it, rather than `fetch` (undici), whose Request/Response machinery
 * costs more CPU per call than the server's own handling on a 2-core machine where client and
 * server share the cores. Resolves with `result.data`; rejects on any non-200 answer.
 */
export function postProcedure(agent: http.Agent, url: string, token: string, input: unknown): Promise<any> {
  const body = JSON.stringify(input);
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        agent,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
          if (response.statusCode !== 200) reject(new Error(`${target.pathname}: ${response.statusCode} ${JSON.stringify(parsed)}`));
          else resolve(parsed.result.data);
        });
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}
