import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { queryRows, withTenant } from "../src";
import { createTestDatabase, type TestDatabase, testTargets } from "../src/testing";
import { makeAgent, makeTenant, pgErrorCode } from "./support";

/**
 * The triggers of migration 0012, at the SQL level (the API's tests go through procedures):
 * no cycle in the agent hierarchy or in task context, also when two transactions each add one
 * half of a loop; crew runs that take child runs only while running and sum them when they finish.
 * The interleavings are forced (one transaction holds its change open while the other starts),
 * so each test fails every time the guard is missing, not once in a while.
 */

/** Resolves after `ms`. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(testTargets())("crew and hierarchy triggers on %s", (target) => {
  let database: TestDatabase;
  let tenant: { tenantId: string; userId: string; spaceId: string };
  const concurrent = target !== "pglite"; // PGlite is one connection: nothing runs at the same time

  beforeAll(async () => {
    database = await createTestDatabase(target);
    tenant = await makeTenant(database.db, `crew-triggers-${target}`);
  });
  afterAll(() => database?.close());

  const inTenant = <T>(work: Parameters<typeof withTenant<T>>[2]) => withTenant(database.db, tenant.tenantId, work);
  const setParent = (agent: string, parent: string | null) =>
    inTenant((tx) => tx.execute(sql`update agents set parent_agent_id = ${parent} where id = ${agent}`));
  const parentOf = async (agent: string) =>
    (
      await inTenant((tx) =>
        queryRows<{ parent: string | null }>(tx, sql`select parent_agent_id as parent from agents where id = ${agent}`),
      )
    )[0]?.parent;

  async function makeCrew(members: string[]) {
    return inTenant(async (tx) => {
      const [crew] = await queryRows<{ id: string }>(
        tx,
        sql`insert into crews (tenant_id, name, owner_id, space_id)
            values (${tenant.tenantId}, ${`Crew ${crypto.randomUUID()}`}, ${tenant.userId}, ${tenant.spaceId}) returning id`,
      );
      const crewId = crew!.id;
      for (const [position, agent] of members.entries()) {
        await tx.execute(
          sql`insert into crew_members (tenant_id, crew_id, agent_id, position) values (${tenant.tenantId}, ${crewId}, ${agent}, ${position})`,
        );
      }
      return crewId;
    });
  }

  async function makeTask(crewId: string, agentId: string, position: number) {
    const [row] = await inTenant((tx) =>
      queryRows<{ id: string }>(
        tx,
        sql`insert into tasks (tenant_id, crew_id, title, description, expected_output, agent_id, position)
            values (${tenant.tenantId}, ${crewId}, 'T', 'Do it', 'Done', ${agentId}, ${position}) returning id`,
      ),
    );
    return row!.id;
  }
  const addContext = (crewId: string, task: string, context: string) =>
    inTenant((tx) =>
      tx.execute(
        sql`insert into task_context (tenant_id, crew_id, task_id, context_task_id) values (${tenant.tenantId}, ${crewId}, ${task}, ${context})`,
      ),
    );

  describe("agent hierarchy", () => {
    it("accepts a chain and refuses the parent that would close a loop (2 and 3 agents, and itself)", async () => {
      const [a, b, c] = [await makeAgent(database.db, tenant), await makeAgent(database.db, tenant), await makeAgent(database.db, tenant)];
      await setParent(a, b);
      await setParent(b, c);
      expect(await pgErrorCode(setParent(c, a))).toBe("AB400"); // c → a → b → c
      expect(await pgErrorCode(setParent(b, a))).toBe("AB400"); // b → a → b
      expect(await pgErrorCode(setParent(a, a))).toBe("23514"); // agents_parent_not_self
      expect(await parentOf(c)).toBeNull();
      // Moving an edge is not a loop: a reports to c instead of b.
      await setParent(a, c);
      expect(await parentOf(a)).toBe(c);
    });

    it("names both agents in the refusal", async () => {
      const [a, b] = [await makeAgent(database.db, tenant), await makeAgent(database.db, tenant)];
      await setParent(a, b);
      await expect(setParent(b, a)).rejects.toMatchObject({
        cause: expect.objectContaining({ message: expect.stringContaining(`agent ${a} already reports to agent ${b}`) }),
      });
    });

    it("leaves the reports of a deleted agent without a parent", async () => {
      const [a, b] = [await makeAgent(database.db, tenant), await makeAgent(database.db, tenant)];
      await setParent(a, b);
      await inTenant((tx) => tx.execute(sql`delete from agents where id = ${b}`));
      expect(await parentOf(a)).toBeNull();
    });

    it.runIf(concurrent)("refuses the second half of a loop while the first is still uncommitted", async () => {
      for (let round = 0; round < 3; round++) {
        const [a, b] = [await makeAgent(database.db, tenant), await makeAgent(database.db, tenant)];
        let release!: () => void;
        const held = new Promise<void>((resolve) => {
          release = resolve;
        });
        let changed!: () => void;
        const firstChanged = new Promise<void>((resolve) => {
          changed = resolve;
        });
        // First: a reports to b, and stays open until the second has started.
        const first = inTenant(async (tx) => {
          await tx.execute(sql`update agents set parent_agent_id = ${b} where id = ${a}`);
          changed();
          await held;
        });
        await firstChanged;
        const second = setParent(b, a).then(
          () => "ok",
          (error) => pgErrorCode(Promise.reject(error)),
        );
        await pause(150); // the second is now waiting for the first
        release();
        await first;
        expect(await second).toBe("AB400");
        expect(await parentOf(b)).toBeNull();
        expect(await parentOf(a)).toBe(b);
      }
    });

    it.runIf(concurrent)("lets exactly one of two simultaneous halves of a loop through (20 races)", async () => {
      for (let round = 0; round < 20; round++) {
        const [a, b] = [await makeAgent(database.db, tenant), await makeAgent(database.db, tenant)];
        const outcomes = await Promise.all(
          [setParent(a, b), setParent(b, a)].map((p) =>
            p.then(
              () => "ok",
              (error) => pgErrorCode(Promise.reject(error)),
            ),
          ),
        );
        expect(outcomes.sort()).toEqual(["AB400", "ok"]);
      }
    });
  });

  describe("task context", () => {
    it("refuses a loop of two and of three tasks, and a task of another crew", async () => {
      const agent = await makeAgent(database.db, tenant);
      const crew = await makeCrew([agent]);
      const [t1, t2, t3] = [await makeTask(crew, agent, 0), await makeTask(crew, agent, 1), await makeTask(crew, agent, 2)];
      await addContext(crew, t2, t1);
      await addContext(crew, t3, t2);
      expect(await pgErrorCode(addContext(crew, t1, t3))).toBe("AB400");
      expect(await pgErrorCode(addContext(crew, t1, t2))).toBe("AB400");
      const otherCrew = await makeCrew([agent]);
      const foreign = await makeTask(otherCrew, agent, 0);
      expect(await pgErrorCode(addContext(crew, t1, foreign))).toBe("23503"); // both ends carry the crew
    });

    it("refuses deleting a task others take as context, and a member with assigned tasks; a crew's delete takes them all", async () => {
      const agent = await makeAgent(database.db, tenant);
      const crew = await makeCrew([agent]);
      const [t1, t2] = [await makeTask(crew, agent, 0), await makeTask(crew, agent, 1)];
      await addContext(crew, t2, t1);
      expect(await pgErrorCode(inTenant((tx) => tx.execute(sql`delete from tasks where id = ${t1}`)))).toBe("23503");
      expect(
        await pgErrorCode(inTenant((tx) => tx.execute(sql`delete from crew_members where crew_id = ${crew} and agent_id = ${agent}`))),
      ).toBe("23503");
      expect(await pgErrorCode(inTenant((tx) => tx.execute(sql`delete from agents where id = ${agent}`)))).toBe("23503");
      await inTenant((tx) => tx.execute(sql`delete from crews where id = ${crew}`));
      const left = await inTenant((tx) =>
        queryRows<{ n: number }>(
          tx,
          sql`select (select count(*) from tasks where crew_id = ${crew})::int + (select count(*) from task_context where crew_id = ${crew})::int
                + (select count(*) from crew_members where crew_id = ${crew})::int as n`,
        ),
      );
      expect(left[0]?.n).toBe(0);
    });

    it.runIf(concurrent)("refuses the second half of a context loop while the first is uncommitted", async () => {
      const agent = await makeAgent(database.db, tenant);
      const crew = await makeCrew([agent]);
      const [t1, t2] = [await makeTask(crew, agent, 0), await makeTask(crew, agent, 1)];
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let changed!: () => void;
      const firstChanged = new Promise<void>((resolve) => {
        changed = resolve;
      });
      const first = inTenant(async (tx) => {
        await tx.execute(
          sql`insert into task_context (tenant_id, crew_id, task_id, context_task_id) values (${tenant.tenantId}, ${crew}, ${t2}, ${t1})`,
        );
        changed();
        await held;
      });
      await firstChanged;
      const second = addContext(crew, t1, t2).then(
        () => "ok",
        (error) => pgErrorCode(Promise.reject(error)),
      );
      await pause(150);
      release();
      await first;
      expect(await second).toBe("AB400");
    });
  });

  describe("crew runs", () => {
    async function startCrewRun(crewId: string) {
      const [row] = await inTenant((tx) =>
        queryRows<{ id: string }>(
          tx,
          sql`insert into agent_executions (tenant_id, crew_id, user_id, input_data, input_tokens, cost_usd)
              values (${tenant.tenantId}, ${crewId}, ${tenant.userId}, '{}', 999, 9) returning id`,
        ),
      );
      return row!.id;
    }
    const startChild = (parent: string, agent: string) =>
      inTenant(async (tx) => {
        const [row] = await queryRows<{ id: string; crew: string }>(
          tx,
          sql`insert into agent_executions (tenant_id, agent_id, parent_execution_id, user_id, input_data)
              values (${tenant.tenantId}, ${agent}, ${parent}, ${tenant.userId}, '{}') returning id, crew_id as crew`,
        );
        return row!;
      });
    const finish = (id: string, tokens = 0, cost = 0) =>
      inTenant((tx) =>
        tx.execute(
          sql`update agent_executions set status = 'succeeded', completed_at = now(), input_tokens = ${tokens}, output_tokens = ${tokens},
              provided_cost_usd = ${cost} where id = ${id}`,
        ),
      );
    const run = async (id: string) =>
      (
        await inTenant((tx) =>
          queryRows<{ input: number; output: number; cost: string; status: string }>(
            tx,
            sql`select input_tokens as input, output_tokens as output, cost_usd::text as cost, status from agent_executions where id = ${id}`,
          ),
        )
      )[0];

    it("sums the children into the crew run, which has no tokens of its own, and then takes no more children", async () => {
      const agent = await makeAgent(database.db, tenant);
      const crew = await makeCrew([agent]);
      const parent = await startCrewRun(crew);
      expect(await run(parent)).toMatchObject({ input: 0, cost: "0.000000" }); // its own tokens are ignored
      const c1 = await startChild(parent, agent);
      const c2 = await startChild(parent, agent);
      expect(c1.crew).toBe(crew); // the child takes the crew run's crew
      await finish(c1.id, 10, 0.5);
      expect(await pgErrorCode(finish(parent))).toBe("AB412"); // c2 still runs
      await finish(c2.id, 5, 0.25);
      await finish(parent, 1_000, 100); // what the caller sends for a crew run is replaced by the sum
      expect(await run(parent)).toMatchObject({ input: 15, output: 15, cost: "0.750000", status: "succeeded" });
      expect(await pgErrorCode(startChild(parent, agent))).toBe("AB412");
    });

    it("refuses a child of an agent run or of a child run", async () => {
      const agent = await makeAgent(database.db, tenant);
      const crew = await makeCrew([agent]);
      const [agentRun] = await inTenant((tx) =>
        queryRows<{ id: string }>(
          tx,
          sql`insert into agent_executions (tenant_id, agent_id, user_id, input_data) values (${tenant.tenantId}, ${agent}, ${tenant.userId}, '{}') returning id`,
        ),
      );
      expect(await pgErrorCode(startChild(agentRun!.id, agent))).toBe("AB400");
      const child = await startChild(await startCrewRun(crew), agent);
      expect(await pgErrorCode(startChild(child.id, agent))).toBe("AB400");
    });

    it.runIf(concurrent)("does not finish a crew run while a child is being started, and counts that child", async () => {
      const agent = await makeAgent(database.db, tenant);
      const crew = await makeCrew([agent]);
      const parent = await startCrewRun(crew);
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let started!: () => void;
      const childStarted = new Promise<void>((resolve) => {
        started = resolve;
      });
      // A child started, and finished, in a transaction still open when the crew run finishes.
      const child = inTenant(async (tx) => {
        const [row] = await queryRows<{ id: string }>(
          tx,
          sql`insert into agent_executions (tenant_id, agent_id, parent_execution_id, user_id, input_data)
              values (${tenant.tenantId}, ${agent}, ${parent}, ${tenant.userId}, '{}') returning id`,
        );
        await tx.execute(
          sql`update agent_executions set status = 'succeeded', completed_at = now(), input_tokens = 7, provided_cost_usd = 0.07 where id = ${row!.id}`,
        );
        started();
        await held;
      });
      await childStarted;
      const finishing = finish(parent);
      await pause(150); // the finish waits for the child's lock on the crew run
      release();
      await child;
      await finishing;
      expect(await run(parent)).toMatchObject({ input: 7, cost: "0.070000", status: "succeeded" });
    });
  });
});
