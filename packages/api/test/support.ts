import { TRPCError } from "@trpc/server";
import { expect } from "vitest";

import type { TokenClaims, UserRole } from "@agent-builder/contracts";
import { type Database, queryRow, sql, withTenant } from "@agent-builder/db";
import {
  createTestDatabase,
  type SchemaTenantTable,
  schemaTenantTables,
  type TestDatabase,
  type TestTarget,
} from "@agent-builder/db/testing";

import { createTokenVerifier, mintToken } from "../src/auth";
import { createFetchHandler } from "../src/http";
import { appRouter } from "../src/root";
import { type ApiDeps, createCallerFactory, createContext } from "../src/trpc";

export const testSecret = "test-secret-that-is-long-enough-for-hs256!";
const createCaller = createCallerFactory(appRouter);

export type Api = ReturnType<typeof createCaller>;

/** A real database, the real router and real tokens: what a request goes through, minus HTTP. */
export async function createHarness(target: TestTarget, options: { poolMax?: number; connectionTimeoutMs?: number } = {}) {
  /** Every statement sent, in order; tests reset it to count round trips. */
  const statements: string[] = [];
  const database: TestDatabase = await createTestDatabase(target, {
    ...options,
    logger: { logQuery: (query) => statements.push(query) },
  });
  const logged: string[] = [];
  const deps: ApiDeps = {
    db: database.db,
    verifyToken: createTokenVerifier({ secret: testSecret }),
    knownCallers: new Set(),
    logger: { error: (m) => logged.push(m), warn: (m) => logged.push(m) },
  };

  async function as(claims: TokenClaims): Promise<Api> {
    const token = await mintToken(testSecret, claims);
    return createCaller(createContext(deps, new Headers({ authorization: `Bearer ${token}` })));
  }

  /** A tenant with a service caller, two members and two spaces, set up through the API. */
  async function tenant(tenantId: string) {
    const serviceId = crypto.randomUUID();
    const memberId = crypto.randomUUID();
    const otherMemberId = crypto.randomUUID();
    const service = await as({ sub: serviceId, tid: tenantId, role: "service" });
    await service.directory.upsertUser({ id: memberId, email: `member@${tenantId}.test`, displayName: "Member" });
    await service.directory.upsertUser({ id: otherMemberId, email: `other@${tenantId}.test` });
    const space = await service.directory.upsertSpace({ id: crypto.randomUUID(), name: "Main" });
    const otherSpace = await service.directory.upsertSpace({ id: crypto.randomUUID(), name: "Other" });
    const member = await as({ sub: memberId, tid: tenantId, role: "member" });
    const otherMember = await as({ sub: otherMemberId, tid: tenantId, role: "member" });
    const caller = (role: UserRole, sub = crypto.randomUUID()) => as({ sub, tid: tenantId, role });
    return { tenantId, serviceId, memberId, otherMemberId, service, member, otherMember, space, otherSpace, caller };
  }

  return {
    database,
    statements,
    deps,
    logged,
    as,
    tenant,
    handler: createFetchHandler(deps),
    close: () => database.close(),
  };
}

export type Harness = Awaited<ReturnType<typeof createHarness>>;
export type TestTenant = Awaited<ReturnType<Harness["tenant"]>>;

export const llmConfig = { provider: "openai", model: "gpt-4.1-mini", temperature: 0.2 } as const;

export function newAgent(t: TestTenant, overrides: Record<string, unknown> = {}) {
  return t.member.agents.create({ name: "Helper", spaceId: t.space.id, llmConfig, ...overrides });
}

/** Resolves to the tRPC error code of a call that must fail. */
export async function errorCode(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(TRPCError);
    return (error as TRPCError).code;
  }
  throw new Error("expected the call to fail");
}

export async function rejectsWith(call: Promise<unknown>, code: string, message?: RegExp) {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe(code);
    if (message) expect((error as TRPCError).message).toMatch(message);
    return error as TRPCError;
  }
  throw new Error(`expected the call to fail with ${code}`);
}

/**
 * Every row of every tenant table (all of the schema's, `schemaTenantTables`: a new domain's
 * table is in without editing this), as one string: a line per table, `name: [rows as JSON]`,
 * the rows in primary-key order.
 */
async function rowsSnapshot(db: Pick<Database, "execute">): Promise<string> {
  const rowsOf = ({ name, primaryKey }: SchemaTenantTable) => {
    // A table without a primary key (none so far) is ordered by the whole row.
    const order = primaryKey.length > 0 ? primaryKey.map((column) => sql`t.${sql.identifier(column)}`) : [sql`t::text`];
    const rows = sql`(select jsonb_agg(t order by ${sql.join(order, sql`, `)})::text from ${sql.identifier(name)} t)`;
    return sql`${name}::text || ': ' || coalesce(${rows}, '[]')`;
  };
  const tables = sql.join(schemaTenantTables.map(rowsOf), sql`, `);
  return (await queryRow<{ s: string }>(db, sql`select concat_ws(chr(10), ${tables}) as s`)).s;
}

/** Every row a tenant owns, as one string: isolation tests check it does not change while another tenant pokes at it. */
export function tenantSnapshot(h: Harness, tenantId: string): Promise<string> {
  return withTenant(h.database.db, tenantId, (tx) => rowsSnapshot(tx));
}

/** Every tenant row of every tenant (read as the database owner, past row-level security). */
export function databaseSnapshot(h: Harness): Promise<string> {
  return rowsSnapshot(h.database.db);
}
