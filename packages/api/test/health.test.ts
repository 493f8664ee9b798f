import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  connectNeon,
  connectPostgres,
  type Database,
  type DatabaseHandle,
  queryRows,
  readJournal,
  shippedMigrations,
  sql,
} from "@agent-builder/db";
import { createTestDatabase, type TestDatabase, testTargets } from "@agent-builder/db/testing";

import { createTokenVerifier } from "../src/auth";
import { appRouter } from "../src/root";
import { createCallerFactory, createContext } from "../src/trpc";
import { testSecret } from "./support";

/**
 * `health` reports the migration state: the newest applied tag, how many are applied and which
 * shipped ones are pending; `migration: null` (status still ok) for a role that may not read the
 * migrations table, and the grant migration 0005 gives agent_builder_app is enough to read it.
 */
const createCaller = createCallerFactory(appRouter);
const healthOf = (db: Database) =>
  createCaller(createContext({ db, verifyToken: createTokenVerifier({ secret: testSecret }) }, new Headers())).health();

const newest = shippedMigrations.at(-1)!;
const allApplied = { current: newest.tag, appliedCount: shippedMigrations.length, pending: [] };

describe.each(testTargets())("health on %s", (target) => {
  let database: TestDatabase;
  let limited: DatabaseHandle | undefined;
  const probeRole = `health_probe_${process.pid}_${Date.now()}`;

  beforeAll(async () => {
    database = await createTestDatabase(target);
  });
  afterAll(async () => {
    await limited?.close();
    if (target !== "pglite") await database?.db.execute(sql.raw(`drop role if exists ${probeRole}`));
    await database?.close();
  });

  it("bundles the same journal the migrator reads from disk", () => {
    expect(shippedMigrations.map((m) => m.tag)).toEqual(readJournal().map((e) => e.tag));
  });

  it("reports the database version, latency and every migration applied", async () => {
    const health = await healthOf(database.db);
    expect(health).toMatchObject({ status: "ok", database: { reachable: true, version: expect.stringMatching(/^\d+/) } });
    expect(health.database.latencyMs).toBeGreaterThan(0);
    expect(health.migration).toEqual(allApplied);
  });

  it("lists the newest migration as pending when the database lacks it", async () => {
    const [previous] = shippedMigrations.slice(-2);
    const [removed] = await queryRows<{ hash: string }>(
      database.db,
      sql`delete from drizzle.__drizzle_migrations where created_at = ${newest.when} returning hash`,
    );
    try {
      expect((await healthOf(database.db)).migration).toEqual({
        current: previous!.tag,
        appliedCount: shippedMigrations.length - 1,
        pending: [newest.tag],
      });
    } finally {
      await database.db.execute(sql`insert into drizzle.__drizzle_migrations (hash, created_at) values (${removed!.hash}, ${newest.when})`);
    }
    expect((await healthOf(database.db)).migration).toEqual(allApplied);
  });

  it("names a migration newer than this build as unknown, and one never migrated as all pending", async () => {
    const later = newest.when + 60_000;
    await database.db.execute(sql`insert into drizzle.__drizzle_migrations (hash, created_at) values ('from a newer build', ${later})`);
    try {
      expect((await healthOf(database.db)).migration).toEqual({
        current: `unknown(${later})`,
        appliedCount: shippedMigrations.length + 1,
        pending: [],
      });
    } finally {
      await database.db.execute(sql`delete from drizzle.__drizzle_migrations where created_at = ${later}`);
    }
    await database.db.execute(sql`alter schema drizzle rename to drizzle_hidden`);
    try {
      expect((await healthOf(database.db)).migration).toEqual({
        current: null,
        appliedCount: 0,
        pending: shippedMigrations.map((m) => m.tag),
      });
    } finally {
      await database.db.execute(sql`alter schema drizzle_hidden rename to drizzle`);
    }
  });

  it("answers ok with migration null for a role that may not read the table, and reads it once agent_builder_app is granted it", async () => {
    // As the API's login role on Neon: a member of agent_builder_app, nothing else.
    const revoke = [
      sql`revoke usage on schema drizzle from agent_builder_app`,
      sql`revoke select on drizzle.__drizzle_migrations from agent_builder_app`,
    ];
    const grant = [
      sql`grant usage on schema drizzle to agent_builder_app`,
      sql`grant select on drizzle.__drizzle_migrations to agent_builder_app`,
    ];
    const asRequestRole = async () => {
      if (target === "pglite") {
        // One connection: switch the session to the app role for the call, then back.
        await database.db.execute(sql`set role agent_builder_app`);
        try {
          return await healthOf(database.db);
        } finally {
          await database.db.execute(sql`reset role`);
        }
      }
      if (!limited) {
        await database.db.execute(sql.raw(`create role ${probeRole} login`));
        await database.db.execute(sql.raw(`grant agent_builder_app to ${probeRole}`));
        const url = new URL(database.url!);
        url.username = probeRole;
        limited = (target === "neon" ? connectNeon : connectPostgres)({ url: url.toString(), max: 1 });
      }
      return healthOf(limited.db);
    };

    for (const statement of revoke) await database.db.execute(statement);
    expect(await asRequestRole()).toMatchObject({ status: "ok", database: { reachable: true }, migration: null });
    for (const statement of grant) await database.db.execute(statement);
    expect((await asRequestRole()).migration).toEqual(allApplied);
  });
});

describe("health without a database", () => {
  it("is degraded and leaves the migration state out", async () => {
    const nowhere = connectPostgres({ url: "postgres://nobody@127.0.0.1:9/none", max: 1 });
    try {
      const health = await healthOf(nowhere.db);
      expect(health).toEqual({ status: "degraded", database: { reachable: false, version: null, latencyMs: null } });
      expect("migration" in health).toBe(false);
    } finally {
      await nowhere.close();
    }
  });
});
