import { TRPCError } from "@trpc/server";
import { expect } from "vitest";

import type { TokenClaims, UserRole } from "@agent-builder/contracts";
import { queryRows, sql, withTenant } from "@agent-builder/db";
import { createTestDatabase, type TestDatabase, type TestTarget } from "@agent-builder/db/testing";

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

/** Every row a tenant owns, as one string: isolation tests check it does not change while another tenant pokes at it. */
export async function tenantSnapshot(h: Harness, tenantId: string): Promise<string> {
  const [row] = await withTenant(h.database.db, tenantId, (tx) =>
    queryRows<{ s: string }>(
      tx,
      sql`select concat_ws('|',
            (select json_agg(t order by id)::text from agents t),
            (select json_agg(t order by id)::text from agent_executions t),
            (select json_agg(t order by execution_id, ordinal)::text from agent_execution_steps t),
            (select json_agg(t order by agent_id, slot)::text from agent_usage_stats t),
            (select json_agg(t order by agent_id, day, slot)::text from agent_usage_daily t),
            (select json_agg(t order by day, slot)::text from tenant_usage_daily t),
            (select json_agg(t order by id)::text from spaces t),
            (select json_agg(t order by id)::text from users t)) as s`,
    ),
  );
  return row!.s;
}
