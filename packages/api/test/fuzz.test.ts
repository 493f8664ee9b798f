import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { queryRows, sql } from "@agent-builder/db";
import { testTargets } from "@agent-builder/db/testing";

import { mintToken } from "../src/auth";
import { type OwnIds, type ProcedureInfo, procedureTable } from "./procedures";
import { createHarness, type Harness, newAgent, testSecret } from "./support";

/**
 * Property: whatever a caller sends to any procedure, the answer is never a 5xx, and a rejected
 * mutation leaves the database exactly as it was. Inputs go through the real HTTP handler (URL
 * and body parsing included). Seeded, so a failure reproduces; ≥ 10,000 inputs per run.
 */
const totalRuns = 10_200;
const seed = 20_261_122;
// One target is enough for input handling (it is the same code on every driver): the real
// Postgres when there is one, else PGlite.
const target = testTargets().includes("postgres") ? "postgres" : "pglite";

function nested(depth: number): unknown {
  let value: unknown = "leaf";
  for (let i = 0; i < depth; i++) value = i % 2 ? { k: value } : [value];
  return value;
}

/** Characters that have broken JSON, SQL and Postgres text handling somewhere before. */
const hazardChar = fc.constantFrom("\u0000", "\ud800", "\udfff", "\u202e", "\ufeff", "'", '"', "\\", "%", "_", "😀", "a", "\n");

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.string({ unit: hazardChar, minLength: 1, maxLength: 24 }),
  fc.dictionary(fc.string({ unit: hazardChar, maxLength: 8 }), fc.string({ unit: hazardChar, maxLength: 8 }), { maxKeys: 3 }),
  fc.string({ unit: "binary", maxLength: 64 }), // any code point, lone surrogates included
  fc.string({ unit: "grapheme", maxLength: 64 }),
  fc.constantFrom("", " ", "\u0000", "null", "undefined", "NaN", "😀".repeat(300), "%00", "' or 1=1 --", "$$; drop table agents; $$"),
  fc.integer({ min: 100_000, max: 400_000 }).map((n) => "x".repeat(n)),
  fc.integer({ min: 20, max: 3_000 }).map(nested),
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -1,
    -0,
    2 ** 31,
    2 ** 53,
    -(2 ** 63),
    1e308,
    5e-324,
    0.1 + 0.2,
  ),
  fc.double(),
  fc.bigInt().map((n) => n.toString()),
  fc.boolean(),
  fc.constant(null),
  fc.uuid(),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 300 }),
);

/** Replace, delete or add one field somewhere in a valid input. */
function mutate(valid: unknown): fc.Arbitrary<unknown> {
  const paths: string[][] = [];
  const walk = (value: unknown, path: string[]) => {
    if (value && typeof value === "object") {
      for (const [key, child] of Object.entries(value)) {
        paths.push([...path, key]);
        walk(child, [...path, key]);
      }
    }
  };
  walk(valid, []);
  if (paths.length === 0) return hostileValue;
  return fc
    .tuple(fc.constantFrom(...paths), fc.constantFrom("replace", "delete", "add"), hostileValue, fc.string({ maxLength: 20 }))
    .map(([path, op, junk, key]) => {
      const copy = structuredClone(valid) as Record<string, unknown>;
      let parent: Record<string, unknown> = copy;
      for (const segment of path.slice(0, -1)) parent = parent[segment] as Record<string, unknown>;
      const last = path.at(-1)!;
      if (op === "replace") parent[last] = junk;
      else if (op === "delete") delete parent[last];
      else parent[key || "tenantId"] = junk;
      return copy;
    });
}

const rawBodies = fc.constantFrom(
  "",
  "{",
  '{"id": NaN}',
  '{"limit": Infinity}',
  "[1,2,3]",
  '"just a string"',
  '{"__proto__": {"polluted": true}}',
  '{"constructor": {"prototype": {"x": 1}}}',
  "\uFEFF{}",
  "null",
  '{"a":' + "[".repeat(10_000) + "]".repeat(10_000) + "}",
);

describe(`fuzzing every procedure's input on ${target}`, () => {
  let h: Harness;
  let ids: OwnIds;
  const tokens: Record<string, string> = {};
  const outcomes = { total: 0, ok: 0, rejected: 0, byStatus: {} as Record<number, number> };

  beforeAll(async () => {
    h = await createHarness(target);
    const t = await h.tenant("fuzz-tenant");
    const agent = await t.member.agents.setStatus({ id: (await newAgent(t)).id, status: "active" });
    const execution = await t.member.executions.start({ agentId: agent.id, input: 1 });
    const chat = await t.member.conversations.create({ agentId: (await newAgent(t, { name: "Chat" })).id });
    const message = await t.member.conversations.appendMessage({ conversationId: chat.id, role: "user", content: "Hi" });
    // A crew of its own agent (agents.delete may remove \`agent\`) with a task: what crews.* and tasks.* refer to.
    const crewMember = await newAgent(t, { name: "Crew member" });
    const crew = await t.member.crews.create({ name: "Fixture crew", spaceId: t.space.id, memberAgentIds: [crewMember.id] });
    const task = await t.member.tasks.create({
      crewId: crew.id,
      title: "Fixture task",
      description: "d",
      expectedOutput: "o",
      agentId: crewMember.id,
    });
    ids = {
      agent: agent.id,
      execution: execution.id,
      space: t.space.id,
      user: t.memberId,
      tenant: t.tenantId,
      conversation: chat.id,
      message: message.id,
      crew: crew.id,
      task: task.id,
      crewMember: crewMember.id,
    };
    tokens.member = await mintToken(testSecret, { sub: t.memberId, tid: t.tenantId, role: "member" });
    tokens.service = await mintToken(testSecret, { sub: t.serviceId, tid: t.tenantId, role: "service" });
    tokens.admin = await mintToken(testSecret, { sub: crypto.randomUUID(), tid: "staff", role: "admin" });
  });
  afterAll(async () => {
    console.log(`fuzz on ${target}: ${JSON.stringify(outcomes)}`);
    await h?.close();
  });

  /** Row counts and latest change per table: changes whenever anything is written. */
  const fingerprint = async () =>
    JSON.stringify(
      await queryRows(
        h.database.db,
        sql`select (select count(*) || '/' || coalesce(max(updated_at)::text, '') from agents) as agents,
                   (select count(*) || '/' || coalesce(max(updated_at)::text, '') from agent_executions) as executions,
                   (select count(*) from agent_execution_steps) as steps,
                   (select count(*) || '/' || coalesce(max(updated_at)::text, '') from users) as users,
                   (select count(*) || '/' || coalesce(max(updated_at)::text, '') from spaces) as spaces,
                   (select count(*) from tenants) as tenants,
                   (select count(*) || '/' || coalesce(max(updated_at)::text, '') || '/' || coalesce(sum(message_count), 0) from conversations) as conversations,
                   (select count(*) from conversation_messages) as messages,
                   (select count(*) || '/' || coalesce(max(updated_at)::text, '') from crews) as crews,
                   (select count(*) || '/' || coalesce(max(updated_at)::text, '') from crew_members) as crew_members,
                   (select count(*) || '/' || coalesce(max(updated_at)::text, '') from tasks) as tasks,
                   (select count(*) from task_context) as task_context,
                   (select sum(total_executions) from agent_usage_stats) as counted,
                   (select count(*) from admin_audit_log) as audit`,
      ),
    );

  async function send(procedure: ProcedureInfo, input: unknown, raw?: string) {
    const headers = { authorization: `Bearer ${tokens[procedure.role]}`, "content-type": "application/json" };
    const body = raw ?? (input === undefined ? undefined : JSON.stringify(input));
    const request =
      procedure.type === "query"
        ? new Request(`http://api.test/trpc/${procedure.path}${body === undefined ? "" : `?input=${encodeURIComponent(body)}`}`, {
            headers,
          })
        : new Request(`http://api.test/trpc/${procedure.path}`, { method: "POST", headers, body });
    const response = await h.handler(request);
    const text = await response.text();
    return { status: response.status, text };
  }

  it(`answers ${totalRuns} hostile inputs with 2xx or 4xx, never 5xx, and rejected mutations change nothing`, async () => {
    const procedures = procedureTable();
    const runs = Math.ceil(totalRuns / procedures.length);
    for (const procedure of procedures) {
      const valid = procedure.input(ids);
      const arbitrary = fc.oneof(
        { weight: 4, arbitrary: hostileValue.map((input) => ({ input, raw: undefined as string | undefined })) },
        { weight: 5, arbitrary: mutate(valid).map((input) => ({ input, raw: undefined as string | undefined })) },
        { weight: 1, arbitrary: rawBodies.map((raw) => ({ input: undefined, raw })) },
      );
      await fc.assert(
        fc.asyncProperty(arbitrary, async ({ input, raw }) => {
          const before = procedure.type === "mutation" ? await fingerprint() : "";
          const { status, text } = await send(procedure, input, raw);
          outcomes.total++;
          outcomes.byStatus[status] = (outcomes.byStatus[status] ?? 0) + 1;
          expect(status, `${procedure.path} answered ${status}: ${text.slice(0, 300)}`).toBeLessThan(500);
          expect(text).not.toMatch(/ at .*\.(ts|js):\d+|node_modules|select .* from /i);
          if (status >= 400) {
            outcomes.rejected++;
            if (procedure.type === "mutation") expect(await fingerprint(), `${procedure.path} wrote despite ${status}`).toBe(before);
          } else outcomes.ok++;
        }),
        { numRuns: runs, seed, endOnFailure: true },
      );
    }
    expect(outcomes.total).toBeGreaterThanOrEqual(10_000);
    expect(outcomes.rejected).toBeGreaterThan(outcomes.total * 0.8);
  }, 900_000);
});
