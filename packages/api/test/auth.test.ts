import { SignJWT, UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { queryRows, sql, withTenant } from "@agent-builder/db";
import { testTargets } from "@agent-builder/db/testing";

import { appRouter } from "../src/root";
import { createCallerFactory, createContext } from "../src/trpc";
import { createHarness, type Harness, newAgent, rejectsWith, testSecret } from "./support";

const createCaller = createCallerFactory(appRouter);

describe.each(testTargets())("authentication on %s", (target) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(target);
  });
  afterAll(() => h?.close());

  const withToken = (token: string | null) =>
    createCaller(createContext(h.deps, new Headers(token === null ? {} : { authorization: `Bearer ${token}` })));
  const sign = (claims: Record<string, unknown>, secret = testSecret, alg = "HS256") =>
    new SignJWT(claims).setProtectedHeader({ alg }).setIssuedAt().setExpirationTime("5m").sign(new TextEncoder().encode(secret));
  const good = { sub: crypto.randomUUID(), tid: "auth-tenant", role: "member" };

  it("accepts a valid token", async () => {
    await expect(withToken(await sign(good)).agents.list()).resolves.toMatchObject({ items: [] });
  });

  it.each([
    ["no header", async () => null, /missing bearer token/],
    ["garbage", async () => "not-a-jwt", /malformed/],
    ["wrong signature", async () => sign(good, "another-secret-that-is-long-enough-xx"), /signature/],
    ["alg none", async () => new UnsecuredJWT(good).setExpirationTime("5m").encode(), /not allowed|malformed|verified/],
    [
      "expired",
      async () =>
        new SignJWT(good)
          .setProtectedHeader({ alg: "HS256" })
          .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
          .sign(new TextEncoder().encode(testSecret)),
      /expired/,
    ],
    [
      "not yet valid",
      async () =>
        new SignJWT(good)
          .setProtectedHeader({ alg: "HS256" })
          .setNotBefore("1h")
          .setExpirationTime("2h")
          .sign(new TextEncoder().encode(testSecret)),
      /nbf/,
    ],
    ["no expiry", async () => new SignJWT(good).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(testSecret)), /exp/],
    ["missing tid", async () => sign({ sub: good.sub, role: "member" }), /tid/],
    ["sub not a uuid", async () => sign({ ...good, sub: "alice" }), /sub/],
    ["unknown role", async () => sign({ ...good, role: "root" }), /role/],
  ])("rejects %s with UNAUTHORIZED", async (_name, token, message) => {
    await rejectsWith(withToken(await token()).agents.list(), "UNAUTHORIZED", message);
  });

  it("creates the tenant and user mirror rows on the first request, once, even when concurrent", async () => {
    const claims = { sub: crypto.randomUUID(), tid: "fresh-tenant", role: "member" as const };
    const api = await h.as(claims);
    await Promise.all(Array.from({ length: 8 }, () => api.agents.list()));
    const [row] = await withTenant(h.database.db, claims.tid, (tx) =>
      queryRows<{ tenants: number; users: number; role: string }>(
        tx,
        sql`select (select count(*)::int from tenants) as tenants, (select count(*)::int from users) as users,
                   (select role::text from users where id = ${claims.sub}) as role`,
      ),
    );
    expect(row).toEqual({ tenants: 1, users: 1, role: "member" });
  });

  it("rejects a token whose subject is a user of another tenant", async () => {
    const sub = crypto.randomUUID();
    await (await h.as({ sub, tid: "home-tenant", role: "member" })).agents.list();
    await rejectsWith((await h.as({ sub, tid: "elsewhere", role: "member" })).agents.list(), "UNAUTHORIZED", /not a user of this tenant/);
  });

  it("lets only service and admin tokens write the directory", async () => {
    const member = await h.as({ sub: crypto.randomUUID(), tid: "dir-tenant", role: "member" });
    await rejectsWith(member.directory.upsertSpace({ id: crypto.randomUUID(), name: "x" }), "FORBIDDEN");
    await rejectsWith(member.directory.upsertUser({ id: crypto.randomUUID(), email: "a@b.test" }), "FORBIDDEN");
    const admin = await h.as({ sub: crypto.randomUUID(), tid: "dir-tenant", role: "admin" });
    await expect(admin.directory.upsertSpace({ id: crypto.randomUUID(), name: "ok" })).resolves.toMatchObject({ name: "ok" });
  });

  it("rolls back the mirror rows of a first request that fails, and retries them next time", async () => {
    const t = await h.tenant("rollback-tenant");
    const sub = crypto.randomUUID();
    const api = await h.as({ sub, tid: t.tenantId, role: "member" });
    // Fails inside the transaction (space of nobody): mirror insert is rolled back with it.
    await rejectsWith(
      api.agents.create({ name: "x", spaceId: crypto.randomUUID(), llmConfig: { provider: "openai", model: "m" } }),
      "NOT_FOUND",
    );
    // The next request from the same caller must recreate the user, or this create would fail its owner FK.
    const created = await api.agents.create({ name: "x", spaceId: t.space.id, llmConfig: { provider: "openai", model: "m" } });
    expect(created.ownerId).toBe(sub);
    expect((await newAgent(t)).ownerId).toBe(t.memberId);
  });
});
