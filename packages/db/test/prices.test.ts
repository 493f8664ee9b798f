import { calcPrice, findProvider } from "@pydantic/genai-prices";
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  connectPostgres,
  demoProvidedCostEvery,
  demoUnpricedModel,
  jsonb,
  queryRow,
  queryRows,
  type ShippedPrice,
  type ShippedPrices,
  seedDemoData,
  shippedPrices,
  shippedSource,
  syncShippedPrices,
  withStaff,
  withTenant,
} from "../src";
import { createTestDatabase, type TestDatabase, testTargets } from "../src/testing";
import { makeTenant, pgErrorCode } from "./support";

/**
 * The shipped price table (shipped-prices.json, imported from @pydantic/genai-prices) priced by
 * the database agrees with genai-prices itself; the sync at the end of every migration keeps the
 * table's history; and money sums are exact.
 */

type MatchLogic = { or: MatchLogic[] } | { and: MatchLogic[] } | Record<string, string>;

/** genai-prices' `equals` aliases of a match rule (lower-case, as it compares). */
function equalsAliases(match: MatchLogic): string[] {
  if ("or" in match) return (match.or as MatchLogic[]).flatMap(equalsAliases);
  if ("and" in match) return [];
  return typeof match.equals === "string" ? [match.equals.toLowerCase()] : [];
}

/** A name a pattern matches: `%` as a suffix, prefix or infix word, `_` as a digit (the dated variants). */
function synthesizedName(pattern: string): string | null {
  if (!/(^|[^\\])[%_]/.test(pattern)) return null;
  let name = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "\\") name += pattern[++i] ?? "";
    else if (c === "%") name += i === 0 ? "vertex/" : "-x";
    else if (c === "_") name += "7";
    else name += c;
  }
  return name;
}

interface Usage {
  label: string;
  input: number;
  cached: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
}

/** Uncached input, cache reads, cache writes, output (with reasoning); the second is above every shipped tier threshold (200k, 272k). */
const usages: Usage[] = [
  { label: "small", input: 12_345, cached: 2_100, cacheWrite: 1_050, output: 3_456, reasoning: 1_000 },
  { label: "long context", input: 300_001, cached: 50_000, cacheWrite: 10_000, output: 20_000, reasoning: 5_000 },
];

interface Probe {
  provider: string;
  model: string;
  name: string;
  at: string;
  usage: Usage;
}

const day = 24 * 3600 * 1000;
const probeTime = new Date();

/** Every name genai-prices lists for a shipped model, priced now and around each later start date. */
function probes(): Probe[] {
  const byModel = new Map<string, ShippedPrice[]>();
  for (const row of shippedPrices.rows) {
    const key = `${row.provider}\u0000${row.modelName}`;
    byModel.set(key, [...(byModel.get(key) ?? []), row]);
  }
  const out: Probe[] = [];
  for (const rows of byModel.values()) {
    const first = rows[0] as ShippedPrice;
    const model = findProvider({ providerId: first.provider })?.models.find((m) => m.id === first.modelName);
    if (!model) throw new Error(`${first.provider}/${first.modelName} is shipped but not in genai-prices`);
    const names = new Set([model.id.toLowerCase(), ...equalsAliases(model.match as MatchLogic)]);
    for (const pattern of first.matchPatterns) {
      const name = synthesizedName(pattern);
      if (name) names.add(name);
    }
    const times = new Set([probeTime.toISOString()]);
    for (const row of rows) {
      if (row.validFrom.startsWith("1970")) continue;
      const start = Date.parse(row.validFrom);
      times.add(new Date(start - day).toISOString());
      times.add(new Date(start + day).toISOString());
    }
    for (const name of names)
      for (const at of times) for (const usage of usages) out.push({ provider: first.provider, model: first.modelName, name, at, usage });
  }
  return out;
}

function genaiCost(p: Probe): { cost: number | null; model: string | null } {
  const result = calcPrice(
    {
      input_tokens: p.usage.input,
      cache_read_tokens: p.usage.cached,
      cache_write_tokens: p.usage.cacheWrite,
      // genai-prices has no reasoning unit: reasoning tokens are output tokens.
      output_tokens: p.usage.output,
    },
    p.name,
    { providerId: p.provider, timestamp: new Date(p.at) },
  );
  return { cost: result ? result.total_price : null, model: result ? result.model.id : null };
}

/** A row of the price table, as a test reads it back. */
interface ModelRow {
  id: string;
  tenant_id: string | null;
  provider: string;
  model_name: string;
  input_price: string;
  output_price: string;
  valid_from: string;
  source: string;
  version: number;
}

const globalRows = (database: TestDatabase) =>
  withStaff(database.db, (tx) =>
    queryRows<ModelRow>(
      tx,
      sql`select id, tenant_id, provider, model_name, input_price::text, output_price::text,
                 to_char(valid_from at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as valid_from, source, version
          from models where tenant_id is null order by provider, model_name, valid_from`,
    ),
  );

/**
 * The next release after `previous`, with some rows changed or dropped, as a newer genai-prices
 * might ship it. Each sync test builds on the release the one before it synced.
 */
function nextRelease(previous: ShippedPrices, version: string, change: (row: ShippedPrice) => ShippedPrice | null): ShippedPrices {
  return {
    ...previous,
    version,
    rows: previous.rows.map(change).filter((row): row is ShippedPrice => row !== null),
  };
}
const isModel = (row: ShippedPrice, provider: string, model: string, validFrom?: string) =>
  row.provider === provider && row.modelName === model && (validFrom === undefined || row.validFrom === validFrom);

describe.each(testTargets())("shipped prices on %s", (target) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(target);
  });
  afterAll(() => database?.close());

  it("ships every imported row, recorded with genai-prices' version", async () => {
    const rows = await globalRows(database);
    expect(rows).toHaveLength(shippedPrices.rows.length);
    expect(new Set(rows.map((r) => r.source))).toEqual(new Set([shippedSource()]));
    expect(shippedSource()).toBe(`genai-prices@${shippedPrices.version}`);
    expect(new Set(rows.map((r) => r.provider))).toEqual(new Set(["openai", "anthropic", "google", "mistral"]));
  });

  it("prices every shipped name as genai-prices does, at every price period (to the micro-dollar)", async () => {
    const all = probes();
    const priced = await queryRows<{ i: number; model: string | null; cost: string | null }>(
      database.db,
      sql`select p.i, (m.row).model_name as model,
                 price_usage(price_snapshot(m.row), p.input, p.output, p.cached, p.reasoning, p.cache_write)::text as cost
          from jsonb_to_recordset(${jsonb(
            all.map((p, i) => ({
              i,
              name: p.name,
              provider: p.provider,
              at: p.at,
              input: p.usage.input,
              output: p.usage.output,
              cached: p.usage.cached,
              reasoning: p.usage.reasoning,
              cache_write: p.usage.cacheWrite,
            })),
          )}) as p(i int, name text, provider text, at timestamptz, input bigint, output bigint, cached bigint, reasoning bigint, cache_write bigint)
          cross join lateral (select model_price_at(null, p.name, p.provider, p.at) as row) m
          order by p.i`,
    );
    expect(priced).toHaveLength(all.length);
    const mismatches: string[] = [];
    for (const [i, probe] of all.entries()) {
      const ours = priced[i] as { model: string | null; cost: string | null };
      const theirs = genaiCost(probe);
      const same =
        ours.cost === null || theirs.cost === null ? ours.cost === theirs.cost : Math.abs(Number(ours.cost) - theirs.cost) <= 1e-6;
      if (same) continue;
      mismatches.push(
        `${probe.provider} ${probe.name} at ${probe.at.slice(0, 10)} (${probe.usage.label}): ours ${ours.model ?? "unpriced"} ${ours.cost}, genai-prices ${theirs.model ?? "unpriced"} ${theirs.cost}`,
      );
    }
    // The probes cover every shipped row: each model's names at each of its price periods. No
    // name differs, so no exception is listed: where genai-prices takes the FIRST model of its
    // list whose rule matches and model_price_at the most specific pattern, the two agree here.
    expect(all.length).toBeGreaterThan(shippedPrices.rows.length * usages.length);
    console.log(
      `${target}: ${all.length} probes (${new Set(all.map((p) => `${p.provider} ${p.name}`)).size} names), ${mismatches.length} mismatches`,
    );
    expect(mismatches).toEqual([]);
  });

  it("bills the long-context tier above its threshold and a later start date from that date, as shipped", async () => {
    const cost = (name: string, provider: string, at: string, input: number) =>
      queryRow<{ cost: string }>(
        database.db,
        sql`select price_usage(price_snapshot(model_price_at(null, ${name}, ${provider}, ${at}::timestamptz)), ${input}, 1000, 0, 0, 0)::text as cost`,
      ).then((r) => r.cost);
    // claude-sonnet-4-5: $3 / $15 per Mtok, $6 / $22.5 above 200k input tokens (the whole request).
    expect(await cost("claude-sonnet-4-5-20250929", "anthropic", probeTime.toISOString(), 200_000)).toBe("0.615000");
    expect(await cost("claude-sonnet-4-5-20250929", "anthropic", probeTime.toISOString(), 200_001)).toBe("1.222506");
    // o3: $10 / $40 until 2025-06-10, $2 / $8 from then.
    expect(await cost("o3", "openai", "2025-06-09T23:59:59Z", 1_000_000)).toBe("10.040000");
    expect(await cost("o3", "openai", "2025-06-10T00:00:00Z", 1_000_000)).toBe("2.008000");
  });

  describe("sync", () => {
    let synced: ShippedPrices = shippedPrices;
    const release = (version: string, change: (row: ShippedPrice) => ShippedPrice | null) => {
      synced = nextRelease(synced, version, change);
      return synced;
    };
    it("changes nothing when run again on an up-to-date table", async () => {
      const before = await globalRows(database);
      const started = performance.now();
      expect(await syncShippedPrices(database.db)).toEqual({ inserted: 0, updated: 0 });
      const ms = performance.now() - started;
      expect(await globalRows(database)).toEqual(before);
      console.log(`${target}: sync of an up-to-date table ${ms.toFixed(1)} ms`);
    });

    it("adds a changed price as a new row valid from the sync, keeping the old one and what executions priced before", async () => {
      const before = await globalRows(database);
      const [old] = before.filter((r) => r.provider === "openai" && r.model_name === "gpt-4o");
      const newer = release("0.1.9-test", (row) => (isModel(row, "openai", "gpt-4o") ? { ...row, input: "2.25" } : row));
      const syncedAt = await queryRow<{ now: string }>(database.db, sql`select now()::text as now`);
      expect(await syncShippedPrices(database.db, newer)).toEqual({ inserted: 1, updated: 0 });
      const after = await globalRows(database);
      expect(after).toHaveLength(before.length + 1);
      const gpt4o = after.filter((r) => r.provider === "openai" && r.model_name === "gpt-4o");
      expect(gpt4o).toHaveLength(2);
      expect(gpt4o[0]).toEqual(old);
      expect(gpt4o[1]).toMatchObject({ input_price: "2.250000", output_price: old?.output_price, source: "genai-prices@0.1.9-test" });
      expect(Date.parse(`${gpt4o[1]?.valid_from}Z`)).toBeGreaterThanOrEqual(Date.parse(syncedAt.now) - 1000);
      // Before the sync the old price is in force, after it the new one.
      const priceAt = (at: string) =>
        queryRow<{ input: string }>(
          database.db,
          sql`select (model_price_at(null, 'gpt-4o-2024-08-06', 'openai', ${at}::timestamptz)).input_price::text as input`,
        ).then((r) => r.input);
      expect(await priceAt("2025-01-01T00:00:00Z")).toBe(old?.input_price);
      expect(await priceAt(new Date(Date.now() + 60_000).toISOString())).toBe("2.250000");
      // The same release again: nothing new.
      expect(await syncShippedPrices(database.db, newer)).toEqual({ inserted: 0, updated: 0 });
    });

    it("never touches staff-edited rows, tenant rows, or models the newer release dropped", async () => {
      const tenant = await makeTenant(database.db, `prices-${target}`);
      await withStaff(database.db, (tx) =>
        tx.execute(
          sql`update models set input_price = 9, source = 'staff' where tenant_id is null and provider = 'anthropic' and model_name = 'claude-3-haiku'`,
        ),
      );
      await withTenant(database.db, tenant.tenantId, (tx) =>
        tx.execute(
          sql`insert into models (tenant_id, provider, model_name, match_patterns, input_price, output_price, source)
              values (${tenant.tenantId}, 'openai', 'gpt-4.1', '{gpt-4.1}', 1, 2, 'tenant')`,
        ),
      );
      const tenantRows = () =>
        withTenant(database.db, tenant.tenantId, (tx) =>
          queryRows(tx, sql`select * from models where tenant_id = ${tenant.tenantId} order by model_name`),
        );
      const tenantBefore = await tenantRows();
      const before = await globalRows(database);
      const newer = release("0.2.0-test", (row) => {
        if (isModel(row, "mistral", "mistral-tiny")) return null;
        if (isModel(row, "anthropic", "claude-3-haiku") || isModel(row, "openai", "gpt-4.1")) return { ...row, output: "99" };
        return row;
      });
      // gpt-4.1's global row changes (a new row); the staff row and the tenant row do not; mistral-tiny stays.
      expect(await syncShippedPrices(database.db, newer)).toEqual({ inserted: 1, updated: 0 });
      const after = await globalRows(database);
      const without = (rows: ModelRow[]) => rows.filter((r) => !(r.model_name === "gpt-4.1" && r.source === "genai-prices@0.2.0-test"));
      expect(without(after)).toEqual(before);
      expect(after.find((r) => r.model_name === "claude-3-haiku")).toMatchObject({ input_price: "9.000000", source: "staff" });
      expect(after.some((r) => r.model_name === "mistral-tiny")).toBe(true);
      expect(await tenantRows()).toEqual(tenantBefore);
    });

    it("changes a period that has not started in place, and leaves one that has ended", async () => {
      const future = synced.rows.find((r) => Date.parse(r.validFrom) > Date.now());
      const ended = synced.rows.find(
        (r) =>
          r.validFrom.startsWith("1970") &&
          synced.rows.some(
            (later) =>
              isModel(later, r.provider, r.modelName) &&
              !later.validFrom.startsWith("1970") &&
              Date.parse(later.validFrom) < Date.now() - day,
          ),
      );
      if (!future || !ended) throw new Error("the shipped table has no future or ended period to test with");
      const before = await globalRows(database);
      const newer = release("0.3.0-test", (row) =>
        isModel(row, future.provider, future.modelName, future.validFrom) || isModel(row, ended.provider, ended.modelName, ended.validFrom)
          ? { ...row, input: "0.5" }
          : row,
      );
      expect(await syncShippedPrices(database.db, newer)).toEqual({ inserted: 0, updated: 1 });
      const after = await globalRows(database);
      expect(after).toHaveLength(before.length);
      const changed = after.filter((r, i) => JSON.stringify(r) !== JSON.stringify(before[i]));
      expect(changed).toEqual([
        expect.objectContaining({ model_name: future.modelName, input_price: "0.500000", source: "genai-prices@0.3.0-test", version: 2 }),
      ]);
      expect(await syncShippedPrices(database.db, newer)).toEqual({ inserted: 0, updated: 0 });
    });

    it("inserts a shipped row that is missing, at its own start", async () => {
      await withStaff(database.db, (tx) =>
        tx.execute(sql`delete from models where tenant_id is null and provider = 'mistral' and model_name = 'mistral-saba'`),
      );
      expect(await syncShippedPrices(database.db, synced)).toEqual({ inserted: 1, updated: 0 });
      const [row] = (await globalRows(database)).filter((r) => r.model_name === "mistral-saba");
      expect(row).toMatchObject({ valid_from: "1970-01-01T00:00:00.000000", source: shippedSource(synced) });
    });

    it.runIf(target === "postgres")("works for a migrator that owns the table but is no superuser (Neon's owner role)", async () => {
      // FORCE ROW LEVEL SECURITY holds the owner like anyone. NOINHERIT keeps the staff role's
      // policies off it (0004_admin_role granted that role to the migrator), so only the sync's
      // switch to the staff role can write global rows: the strictest owner a host can give.
      const tenant = await makeTenant(database.db, `prices-owner-${target}`);
      await withTenant(database.db, tenant.tenantId, (tx) =>
        tx.execute(
          sql`insert into models (tenant_id, provider, model_name, match_patterns, input_price, output_price, source)
              values (${tenant.tenantId}, 'openai', 'house-model', '{house-model}', 1, 2, 'tenant')`,
        ),
      );
      const role = `prices_owner_${process.pid}_${Date.now()}`;
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      try {
        await admin.query(`create role ${role} login nosuperuser nobypassrls noinherit`);
        await admin.query(`grant agent_builder_admin to ${role}`);
        await admin.query(`alter table models owner to ${role}`);
        const url = new URL(database.url as string);
        url.username = role;
        const owner = connectPostgres({ url: url.toString(), max: 1 });
        try {
          const tenantRows = sql`select count(*)::int as n from models where tenant_id is not null`;
          expect((await queryRow<{ n: number }>(database.db, tenantRows)).n).toBeGreaterThan(0);
          expect(await queryRow<{ n: number }>(owner.db, tenantRows)).toEqual({ n: 0 });
          const insertGlobal = sql`insert into models (provider, model_name, match_patterns, input_price, output_price, source)
                                   values ('custom', 'x', '{x}', 1, 1, 'staff')`;
          expect(await pgErrorCode(owner.db.execute(insertGlobal))).toBe("42501");
          const newer = release("0.4.0-test", (row) => (isModel(row, "google", "gemini-2.5-flash") ? { ...row, output: "2.4" } : row));
          expect(await syncShippedPrices(owner.db, newer)).toEqual({ inserted: 1, updated: 0 });
        } finally {
          await owner.close();
        }
      } finally {
        await admin.query(`alter table models owner to current_user`);
        await admin.query(`drop owned by ${role}`);
        await admin.query(`drop role ${role}`);
        await admin.end();
      }
    });
  });

  it("sums a million small costs exactly in SQL, where JavaScript floats drift", async () => {
    const prices = await queryRow<{ prices: { input: number; output: number; cachedInput: number } }>(
      database.db,
      sql`select price_snapshot(model_price_at(null, 'gpt-4o-mini', 'openai', now())) as prices`,
    ).then((r) => r.prices);
    // A million costs: 10,000 distinct usages (a few to a few hundred micro-dollars each), costed
    // by price_usage once each and every one summed 100 times. PGlite evaluates price_usage at
    // about 14 µs a call, so a million calls would take 14 s there; under test is the sum.
    const distinct = 10_000;
    const repeats = 100;
    const started = performance.now();
    const { total, runs } = await queryRow<{ total: string; runs: number }>(
      database.db,
      sql`with prices as (select price_snapshot(model_price_at(null, 'gpt-4o-mini', 'openai', now())) as snapshot),
          costs as materialized (
            select price_usage(p.snapshot, 100 + k % 997, k % 101, k % 13, 0, 0) as cost
            from prices p, generate_series(0, ${distinct - 1}) k
          )
          select sum(c.cost)::text as total, count(*)::int as runs from costs c, generate_series(1, ${repeats}) r`,
    );
    const ms = performance.now() - started;
    // The exact figure in integers: prices in micro-dollars per Mtok, each cost rounded half up to the micro-dollar.
    const micro = (price: number) => BigInt(Math.round(price * 1e6));
    const [input, output, cached] = [micro(prices.input), micro(prices.output), micro(prices.cachedInput)];
    let exact = 0n;
    let float = 0;
    for (let r = 0; r < repeats; r++) {
      for (let k = 0; k < distinct; k++) {
        const [inputTokens, cachedTokens, outputTokens] = [BigInt(100 + (k % 997)), BigInt(k % 13), BigInt(k % 101)];
        const scaled = (inputTokens - cachedTokens) * input + cachedTokens * cached + outputTokens * output; // 1e-12 USD
        const costMicro = (scaled + 500_000n) / 1_000_000n;
        exact += costMicro;
        float += Number(costMicro) / 1e6;
      }
    }
    const exactText = `${exact / 1_000_000n}.${String(exact % 1_000_000n).padStart(6, "0")}`;
    expect(runs).toBe(1_000_000);
    expect(total).toBe(exactText);
    // The same sum in floats is off (so this comparison can fail).
    expect(float).not.toBe(Number(exactText));
    console.log(`${target}: sum of 1e6 costs ${total} in ${ms.toFixed(0)} ms; in floats ${float}`);
  });
});

describe("demo data priced from the shipped prices", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase("pglite");
    await seedDemoData(database.db);
  });
  afterAll(() => database?.close());

  it("prices most demo runs from the table, keeps a few provided costs, and has one agent's runs unpriced", async () => {
    const runs = await withStaff(database.db, (tx) =>
      queryRows<{
        model: string | null;
        provider: string;
        input: number;
        output: number;
        cached: number;
        provided: string | null;
        computed: string | null;
        cost: string | null;
      }>(
        tx,
        sql`select e.model, a.llm_config->>'provider' as provider, e.input_tokens as input, e.output_tokens as output,
                   e.cached_input_tokens as cached, e.provided_cost_usd::text as provided, e.computed_cost_usd::text as computed,
                   e.cost_usd::text as cost
            from agent_executions e join agents a on a.tenant_id = e.tenant_id and a.id = e.agent_id
            where e.status <> 'running' and e.crew_id is null and e.conversation_id is null and e.parent_execution_id is null`,
      ),
    );
    const computed = runs.filter((r) => r.provided === null && r.computed !== null);
    const provided = runs.filter((r) => r.provided !== null);
    const unpriced = runs.filter((r) => r.cost === null);
    expect(computed.length / runs.length).toBeGreaterThan(0.8);
    expect(provided.length).toBeGreaterThan(0);
    // Every tenth run of each agent, so at most one in ten plus one per agent.
    expect(provided.length).toBeLessThanOrEqual(runs.length / demoProvidedCostEvery + 20);
    console.log(
      `demo: ${runs.length} runs, ${computed.length} priced by the table, ${provided.length} provided, ${unpriced.length} unpriced`,
    );
    for (const r of computed) expect(r.cost).toBe(r.computed);
    expect(unpriced.length).toBeGreaterThan(0);
    expect(new Set(unpriced.map((r) => r.model))).toEqual(new Set([demoUnpricedModel.model]));

    // One of them by hand, from the shipped row: gpt-4.1-mini's input, cached input and output prices.
    const row = shippedPrices.rows.find((r) => isModel(r, "openai", "gpt-4.1-mini")) as ShippedPrice;
    const microPrice = (price: string | null) => BigInt(Math.round(Number(price) * 1e6));
    const run = computed.find((r) => r.model === "gpt-4.1-mini" && r.cached > 0);
    if (!run) throw new Error("no demo run of gpt-4.1-mini with cached tokens");
    const scaled =
      BigInt(run.input - run.cached) * microPrice(row.input) +
      BigInt(run.cached) * microPrice(row.cachedInput) +
      BigInt(run.output) * microPrice(row.output);
    const micro = (scaled + 500_000n) / 1_000_000n;
    expect(run.computed).toBe(`${micro / 1_000_000n}.${String(micro % 1_000_000n).padStart(6, "0")}`);

    // The usage counters count the unpriced runs.
    const { counted } = await withStaff(database.db, (tx) =>
      queryRow<{ counted: number }>(tx, sql`select coalesce(sum(unpriced_executions), 0)::int as counted from agent_usage_stats`),
    );
    expect(counted).toBeGreaterThanOrEqual(unpriced.length);
  });
});
