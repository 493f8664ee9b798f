import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { type Database, queryRows } from "../src";
import { createTestDatabase, type TestDatabase, testTargets } from "../src/testing";

/**
 * packages/db/sql/functions/<name>.sql is the readable, current definition of each function the
 * migrations install (trigger functions, usage_slot, make_tenant_table). A migration that changes
 * one edits the file and copies it in; these tests fail when the two drift apart.
 */
const functionsFolder = fileURLToPath(new URL("../sql/functions/", import.meta.url));
const files = readdirSync(functionsFolder)
  .filter((f) => f.endsWith(".sql"))
  .map((f) => ({ name: f.slice(0, -".sql".length), text: readFileSync(`${functionsFolder}${f}`, "utf8") }));

/** Whitespace differences (indentation, line breaks) are not drift. */
const normalise = (definition: string) => definition.replace(/\s+/g, " ").trim();

class RolledBack extends Error {}

describe.each(testTargets())("SQL function files on %s", (target) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(target);
  });
  afterAll(() => database?.close());

  /** Full definitions (header and body, pg_get_functiondef) of the public functions of that name. */
  const definitions = (tx: Pick<Database, "execute">, name: string) =>
    queryRows<{ definition: string }>(
      tx,
      sql`select pg_get_functiondef(p.oid) as definition from pg_proc p join pg_namespace n on n.oid = p.pronamespace
          where n.nspname = 'public' and p.proname = ${name} order by p.oid`,
    ).then((rows) => rows.map((r) => normalise(r.definition)));

  it("has one file for every function in the migrated database, and no other", async () => {
    const installed = await queryRows<{ name: string }>(
      database.db,
      sql`select distinct proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
          where n.nspname = 'public' order by 1`,
    );
    expect(files.map((f) => f.name).sort()).toEqual(installed.map((r) => r.name));
  });

  it.each(files.map((f) => [f.name, f.text] as const))(
    "%s.sql defines the function exactly as the migrations left it",
    async (name, text) => {
      expect(text, "the file holds one CREATE OR REPLACE FUNCTION, ready to copy into a migration").toMatch(
        new RegExp(`^CREATE OR REPLACE FUNCTION ${name}\\(`, "m"),
      );
      expect(text).not.toContain("--> statement-breakpoint");
      // Installing the file over the migrated function must change nothing: same header, same body
      // (whitespace aside), and no second function next to it (a changed signature would add one).
      let result: { before: string[]; after: string[] } | undefined;
      await database.db
        .transaction(async (tx) => {
          const before = await definitions(tx, name);
          await tx.execute(sql.raw(text));
          result = { before, after: await definitions(tx, name) };
          throw new RolledBack();
        })
        .catch((error: unknown) => {
          if (!(error instanceof RolledBack)) throw error;
        });
      expect(result!.before).toHaveLength(1);
      expect(result!.after).toEqual(result!.before);
    },
  );
});
