import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { testTargets } from "@agent-builder/db/testing";
// The built package, exactly as a sibling app imports it.
import { type AgentBuilderClient, apiErrorCode, createAgentBuilderClient, isApiError, paginate } from "@agent-builder/sdk";

import { type RunningApi, startApiServer } from "../../../test/support/api-server";

const targets = testTargets().filter((t) => t !== "neon") as Array<"pglite" | "postgres">;
const llmConfig = { provider: "anthropic", model: "claude-sonnet-4", apiKey: "sk-ant-secret-9876" } as const;
const usage = { inputTokens: 10, outputTokens: 5 };

describe.each(targets)("SDK against the Node server on %s", (target) => {
  let api: RunningApi;
  let tenant: string;
  let memberId: string;
  let member: AgentBuilderClient;
  let service: AgentBuilderClient;
  let spaceId: string;

  const clientFor = (role: "member" | "service", sub: string, options: Partial<Parameters<typeof createAgentBuilderClient>[0]> = {}) =>
    createAgentBuilderClient({
      url: api.url,
      getToken: () => api.token({ sub, tid: tenant, role }),
      retry: { delayMs: () => 1 },
      ...options,
    });

  beforeAll(async () => {
    api = await startApiServer(target);
    tenant = `sdk-${target}`;
    memberId = crypto.randomUUID();
    service = clientFor("service", crypto.randomUUID());
    member = clientFor("member", memberId);
    await service.directory.upsertUser.mutate({ id: memberId, email: "member@sdk.test", displayName: "Member" });
    spaceId = (await service.directory.upsertSpace.mutate({ id: crypto.randomUUID(), name: "SDK space" })).id;
  });
  afterAll(() => api?.close());

  it("calls every namespace end to end", async () => {
    expect(await member.health.query()).toMatchObject({ status: "ok" });
    expect((await member.directory.listSpaces.query()).items.map((s) => s.id)).toEqual([spaceId]);

    const notebook = crypto.randomUUID();
    const agent = await member.agents.create.mutate({ name: "SDK agent", spaceId, llmConfig, notebookIds: [notebook] });
    expect(agent).toMatchObject({ ownerId: memberId, apiKeyHint: "…9876", status: "draft" });
    expect(JSON.stringify(agent)).not.toContain("sk-ant-secret");
    const active = await member.agents.setStatus.mutate({ id: agent.id, status: "active" });
    const renamed = await member.agents.update.mutate({ id: agent.id, expectedVersion: active.version, description: "typed" });
    expect(renamed.description).toBe("typed");
    expect((await member.agents.list.query({ notebookId: notebook })).items).toHaveLength(1);
    expect(await member.agents.detachNotebook.mutate({ notebookId: notebook })).toEqual({ notebookId: notebook, agentsUpdated: 1 });

    const execution = await member.executions.start.mutate({ agentId: agent.id, input: { q: "hi" } });
    await member.executions.appendSteps.mutate({ executionId: execution.id, steps: [{ type: "message", data: "hello" }] });
    await member.executions.complete.mutate({ id: execution.id, output: { a: 1 }, usage, costUsd: 0.002 });
    const failed = await member.executions.start.mutate({ agentId: agent.id, input: 2 });
    await member.executions.fail.mutate({ id: failed.id, error: { message: "nope" } });
    const cancelled = await member.executions.start.mutate({ agentId: agent.id, input: 3 });
    await member.executions.cancel.mutate({ id: cancelled.id });
    expect((await member.executions.get.query({ id: execution.id })).steps).toHaveLength(1);
    expect((await member.executions.list.query({ agentId: agent.id })).items.map((e) => e.status)).toEqual([
      "cancelled",
      "failed",
      "succeeded",
    ]);

    expect((await member.usage.agent.query({ agentId: agent.id })).lifetime).toMatchObject({
      executions: 3,
      succeeded: 1,
      failed: 1,
      cancelled: 1,
    });
    expect((await member.usage.space.query({ spaceId })).agentCount).toBe(1);
    expect((await member.usage.tenant.query()).tenantId).toBe(tenant);
    const today = new Date().toISOString().slice(0, 10);
    expect((await member.usage.timeseries.query({ from: today, to: today })).buckets[0]).toMatchObject({ executions: 3 });

    await member.agents.delete.mutate({ id: agent.id });
    await expect(member.agents.get.query({ id: agent.id })).rejects.toSatisfy((e) => isApiError(e, "NOT_FOUND"));
  });

  it("iterates every page with listAll", async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await member.agents.create.mutate({ name: `Paged ${i}`, spaceId, llmConfig })).id);
    const seen: string[] = [];
    for await (const agent of member.agents.listAll({ limit: 2, search: "Paged" })) seen.push(agent.id);
    expect(seen.sort()).toEqual([...created].sort());

    const runs: string[] = [];
    for (let i = 0; i < 3; i++) runs.push((await member.executions.start.mutate({ agentId: created[0]!, input: i })).id);
    const listed: string[] = [];
    for await (const e of member.executions.listAll({ limit: 1, agentId: created[0]! })) listed.push(e.id);
    expect(listed).toEqual([...runs].reverse());
  });

  it("pages any list procedure with paginate, one request per page, none after the loop stops", async () => {
    for (const name of ["Paged A", "Paged B", "Paged C", "Paged D"])
      await service.directory.upsertSpace.mutate({ id: crypto.randomUUID(), name });
    const everySpace = (await member.directory.listSpaces.query({ limit: 100 })).items.map((s) => s.id);
    expect(everySpace).toHaveLength(5);

    let requests = 0;
    const counted = clientFor("member", memberId, {
      fetch: (input, init) => {
        requests++;
        return fetch(input, init);
      },
    });
    for (const limit of [1, 2]) {
      const seen: string[] = [];
      for await (const space of counted.paginate(counted.directory.listSpaces, { limit })) seen.push(space.id);
      expect(seen, `limit ${limit}`).toEqual(everySpace);
    }
    // The standalone export is the same pager; breaking out fetches no further page.
    requests = 0;
    const firstTwo: string[] = [];
    for await (const space of paginate(counted.directory.listSpaces, { limit: 1 })) {
      firstTwo.push(space.id);
      if (firstTwo.length === 2) break;
    }
    expect(firstTwo).toEqual(everySpace.slice(0, 2));
    await new Promise((resolve) => setTimeout(resolve, 50)); // a page requested ahead would have gone out by now
    expect(requests).toBe(2);
  });

  it("records an execution: completes it with the measured duration, or fails it and rethrows", async () => {
    const agent = await member.agents.create.mutate({ name: "Runner", spaceId, llmConfig });
    const done = await member.recordExecution({ agentId: agent.id, input: "go" }, async (run) => {
      expect(run.execution.status).toBe("running");
      await run.step({ type: "thought", data: "thinking" }, { type: "action", data: { tool: "x" } });
      await new Promise((resolve) => setTimeout(resolve, 60));
      return { output: "done", usage, costUsd: 0.01 };
    });
    expect(done).toMatchObject({ status: "succeeded", output: "done", costUsd: 0.01, stepCount: 2 });
    expect(done.durationMs).toBeGreaterThanOrEqual(55);

    class ToolError extends Error {
      code = "tool_timeout";
    }
    const failure = member.recordExecution({ agentId: agent.id, input: "boom" }, async () => {
      throw new ToolError("the tool did not answer");
    });
    await expect(failure).rejects.toBeInstanceOf(ToolError);
    const [latest] = (await member.executions.list.query({ agentId: agent.id, limit: 1 })).items;
    expect(latest).toMatchObject({ status: "failed", error: { code: "tool_timeout", message: "the tool did not answer" } });
  });

  it("records a crew run (recordCrewExecution: child runs, steps by task), fails it with its running children, and records finished runs in one call", async () => {
    const agents: string[] = [];
    for (const name of ["Writer", "Editor"]) {
      const agent = await member.agents.create.mutate({ name, spaceId, llmConfig });
      agents.push((await member.agents.setStatus.mutate({ id: agent.id, status: "active" })).id);
    }
    const [writer, editor] = agents as [string, string];
    const crew = await member.crews.create.mutate({ name: `SDK crew ${target}`, spaceId, memberAgentIds: agents });
    const task = await member.tasks.create.mutate({
      crewId: crew.id,
      title: "Draft",
      description: "d",
      expectedOutput: "o",
      agentId: writer,
    });

    const done = await member.recordCrewExecution({ crewId: crew.id, input: "go" }, async (crewRun) => {
      expect(crewRun.execution).toMatchObject({ crewId: crew.id, agentId: null, status: "running" });
      await crewRun.step({ type: "message", data: "plan", taskId: task.id });
      await Promise.all(
        agents.map((agentId, i) =>
          crewRun.child({ agentId, input: i }, async ({ step }) => {
            await step({ type: "thought", data: i, taskId: task.id });
            return { output: i, usage, costUsd: 0.001 };
          }),
        ),
      );
      return { output: "published" };
    });
    expect(done).toMatchObject({
      status: "succeeded",
      crewId: crew.id,
      output: "published",
      usage: { inputTokens: 20, outputTokens: 10 },
      costUsd: 0.002,
    });
    const read = await member.executions.get.query({ id: done.id });
    expect(read.steps.map((s) => s.taskId)).toEqual([task.id]);
    expect(read.childRuns.map((c) => c.status)).toEqual(["succeeded", "succeeded"]);

    const failure = member.recordCrewExecution({ crewId: crew.id, input: "crash" }, async (crewRun) => {
      await member.executions.start.mutate({ agentId: editor, parentExecutionId: crewRun.execution.id, input: "left running" });
      throw new Error("crew crashed");
    });
    await expect(failure).rejects.toThrow("crew crashed");
    const [crashed] = (await member.executions.list.query({ crewId: crew.id, limit: 1 })).items;
    const crashedRun = await member.executions.get.query({ id: crashed!.parentExecutionId ?? crashed!.id });
    expect(crashedRun).toMatchObject({ status: "failed", error: { message: "crew crashed" } });
    expect(crashedRun.childRuns.map((c) => c.status)).toEqual(["cancelled"]);

    const key = `sdk-record-${target}-${crypto.randomUUID()}`;
    const batch = {
      runs: [
        {
          agentId: writer,
          input: 1,
          output: 1,
          status: "succeeded" as const,
          durationMs: 12,
          usage,
          costUsd: 0.001,
          idempotencyKey: `${key}-a`,
        },
        {
          crewId: crew.id,
          input: 2,
          output: 2,
          status: "succeeded" as const,
          durationMs: 30,
          idempotencyKey: `${key}-crew`,
          childRuns: [
            {
              agentId: editor,
              input: 3,
              output: 3,
              status: "succeeded" as const,
              durationMs: 20,
              usage,
              costUsd: 0.002,
              steps: [{ type: "action" as const, data: 1, taskId: task.id }],
            },
          ],
        },
      ],
    };
    const recorded = await member.executions.record.mutate(batch);
    expect(recorded.runs.map((r) => r.childIds.length)).toEqual([0, 1]);
    expect(await member.executions.record.mutate(batch)).toEqual(recorded); // a retry records nothing twice
    expect((await member.usage.crew.query({ crewId: crew.id })).lifetime).toMatchObject({ executions: 3, succeeded: 2, failed: 1 });
  });

  it("exposes error codes and field errors", async () => {
    const agent = await member.agents.create.mutate({ name: "Versioned", spaceId, llmConfig });
    const conflict = await member.agents.update.mutate({ id: agent.id, expectedVersion: 99, name: "x" }).catch((e: unknown) => e);
    expect(isApiError(conflict, "CONFLICT")).toBe(true);
    expect(isApiError(conflict, "NOT_FOUND")).toBe(false);
    expect(apiErrorCode(new Error("plain"))).toBeUndefined();
    const bad = await member.agents.create.mutate({ name: "", spaceId, llmConfig }).catch((e: unknown) => e);
    expect(isApiError(bad, "BAD_REQUEST") && bad.data?.zodError?.fieldErrors.name).toBeTruthy();
  });

  it("asks for a token on every request, so an async refresh works", async () => {
    let calls = 0;
    const refreshing = createAgentBuilderClient({
      url: api.url,
      getToken: async () => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 1));
        return api.token({ sub: memberId, tid: tenant, role: "member" });
      },
    });
    await refreshing.agents.list.query({ limit: 1 });
    await refreshing.agents.list.query({ limit: 1 });
    expect(calls).toBe(2);
    const expired = createAgentBuilderClient({ url: api.url, getToken: () => "not-a-token", retry: { retries: 0 } });
    await expect(expired.agents.list.query()).rejects.toSatisfy((e) => isApiError(e, "UNAUTHORIZED"));
  });

  describe("retries", () => {
    /** A fetch that answers the first `failures` calls with a gateway error (or a network error). */
    function flakyFetch(failures: number, kind: "503" | "network" | "500") {
      const calls = { count: 0 };
      const fetchImpl: typeof fetch = async (input, init) => {
        calls.count++;
        if (calls.count <= failures) {
          if (kind === "network") throw new TypeError("fetch failed");
          return new Response("upstream unavailable", { status: kind === "503" ? 503 : 500 });
        }
        return fetch(input, init);
      };
      return { fetchImpl, calls };
    }

    it("retries queries on 503 and on network errors", async () => {
      for (const kind of ["503", "network"] as const) {
        const { fetchImpl, calls } = flakyFetch(2, kind);
        const client = clientFor("member", memberId, { fetch: fetchImpl });
        await expect(client.agents.list.query({ limit: 1 })).resolves.toMatchObject({ items: expect.any(Array) });
        expect(calls.count).toBe(3);
      }
    });

    it("gives up after the configured number of retries, and never retries a 500", async () => {
      const gateway = flakyFetch(10, "503");
      await expect(
        clientFor("member", memberId, { fetch: gateway.fetchImpl, retry: { retries: 2, delayMs: () => 1 } }).agents.list.query(),
      ).rejects.toThrow();
      expect(gateway.calls.count).toBe(3);
      const broken = flakyFetch(10, "500");
      await expect(clientFor("member", memberId, { fetch: broken.fetchImpl }).agents.list.query()).rejects.toThrow();
      expect(broken.calls.count).toBe(1);
    });

    it("retries a mutation only when it carries an idempotency key, and creates one execution", async () => {
      const agent = await member.agents.create.mutate({ name: "Idempotent", spaceId, llmConfig });
      const withoutKey = flakyFetch(1, "503");
      await expect(
        clientFor("member", memberId, { fetch: withoutKey.fetchImpl }).executions.start.mutate({ agentId: agent.id, input: 1 }),
      ).rejects.toThrow();
      expect(withoutKey.calls.count).toBe(1);

      const withKey = flakyFetch(2, "network");
      const key = `retry-${crypto.randomUUID()}`;
      const started = await clientFor("member", memberId, { fetch: withKey.fetchImpl }).executions.start.mutate({
        agentId: agent.id,
        input: 1,
        idempotencyKey: key,
      });
      expect(withKey.calls.count).toBe(3);
      const runs = (await member.executions.list.query({ agentId: agent.id })).items;
      expect(runs.map((r) => r.id)).toEqual([started.id]);
    });
  });
});
