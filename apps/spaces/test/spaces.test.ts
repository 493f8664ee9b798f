import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { type AgentBuilderClient, createAgentBuilderClient } from "@agent-builder/sdk";

import { type RunningApi, startApiServer } from "../../../test/support/api-server";
import { refusingSdkDist, siblingApp, urlWhereNothingListens } from "../../../test/support/sibling-app";
import { archiveSpace, monthlyUsageBySpace } from "../src/spaces";

const { run, start } = siblingApp(new URL("..", import.meta.url));

describe("spaces app against the running API", () => {
  let api: RunningApi;
  let client: AgentBuilderClient;
  let token: string;
  let closing: string;
  let busy: string;

  beforeAll(async () => {
    api = await startApiServer();
    token = await api.token({ sub: crypto.randomUUID(), tid: "spaces-app", role: "service" });
    client = createAgentBuilderClient({ url: api.url, getToken: () => token });
    closing = (await client.directory.upsertSpace.mutate({ id: crypto.randomUUID(), name: "Closing" })).id;
    busy = (await client.directory.upsertSpace.mutate({ id: crypto.randomUUID(), name: "Busy" })).id;
    const llmConfig = { provider: "openai", model: "gpt-4.1-mini" } as const;
    const statuses = ["draft", "active", "paused", "archived"] as const;
    for (const status of statuses) {
      const agent = await client.agents.create.mutate({ name: `Closing ${status}`, spaceId: closing, llmConfig });
      if (status !== "draft") await client.agents.setStatus.mutate({ id: agent.id, status: "active" });
      if (status === "paused" || status === "archived") await client.agents.setStatus.mutate({ id: agent.id, status });
    }
    const worker = await client.agents.create.mutate({ name: "Worker", spaceId: busy, llmConfig });
    for (let i = 0; i < 4; i++) {
      await client
        .recordExecution({ agentId: worker.id, input: i }, async () => {
          if (i === 3) throw new Error("provider down");
          return { output: i, usage: { inputTokens: 100, outputTokens: 10 }, costUsd: 0.25 };
        })
        .catch(() => undefined);
    }
  });
  afterAll(() => api?.close());

  it("shows each space's usage for the current month", async () => {
    const rows = await monthlyUsageBySpace(client);
    expect(rows.map((r) => r.space.name)).toEqual(["Busy", "Closing"]);
    expect(rows[0]).toMatchObject({ agentCount: 1, thisMonth: { executions: 4, succeeded: 3, failed: 1, costUsd: 0.75 } });
    expect(rows[1]).toMatchObject({ agentCount: 4, thisMonth: { executions: 0 } });
  });

  it("archives every agent of a space that is not archived yet", async () => {
    expect(await archiveSpace(client, closing)).toBe(3);
    const statuses = [];
    for await (const agent of client.agents.listAll({ spaceId: closing })) statuses.push(agent.status);
    expect(statuses).toEqual(["archived", "archived", "archived", "archived"]);
    expect(await archiveSpace(client, closing)).toBe(0);
    expect((await client.agents.list.query({ spaceId: busy })).items[0]!.status).toBe("draft");
  });

  it("works as a command", () => {
    const cwd = fileURLToPath(new URL("..", import.meta.url));
    const env = { ...process.env, AGENT_BUILDER_URL: api.url, AGENT_BUILDER_TOKEN: token };
    const out = execFileSync(process.execPath, ["--import", "tsx", "src/cli.ts", "usage"], { cwd, env }).toString();
    expect(out).toMatch(/Busy\s+1 agents\s+4 runs\s+1 failed\s+\$0\.75/);
  });

  it("`start` runs on the SDK's source: it works with no SDK built", () => {
    const env = { AGENT_BUILDER_URL: api.url, AGENT_BUILDER_TOKEN: token, NODE_OPTIONS: refusingSdkDist() };
    // The guard holds: the same command on the built SDK is refused.
    const onDist = run(process.execPath, ["--import", "tsx", "src/cli.ts", "usage"], env);
    expect(onDist.status).not.toBe(0);
    expect(onDist.stderr).toContain("loaded the SDK's dist");

    const result = start(["usage"], env);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Busy\s+1 agents\s+4 runs\s+1 failed\s+\$0\.75/);
  });

  it("says when the API is not at AGENT_BUILDER_URL", () => {
    const result = start(["usage"], { AGENT_BUILDER_URL: `${api.url.replace(/\/trpc$/, "")}/nothing`, AGENT_BUILDER_TOKEN: token });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(/answered HTTP 404, not as the Agent Builder API: set AGENT_BUILDER_URL/);
  });
});

describe("spaces command without an API", () => {
  it("names the URL, `pnpm dev` and AGENT_BUILDER_URL when nothing listens there, without a stack trace", async () => {
    const url = await urlWhereNothingListens();
    const result = start(["usage"], { AGENT_BUILDER_URL: url, AGENT_BUILDER_TOKEN: "any" });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim()).toBe(
      `cannot reach the Agent Builder API at ${url} (ECONNREFUSED). ` +
        "Start it with `pnpm dev` in the repository root, or set AGENT_BUILDER_URL to where it runs.",
    );
  });

  it("prints its usage, naming AGENT_BUILDER_TOKEN and AGENT_BUILDER_URL, when the token is missing", () => {
    const result = start(["usage"], { AGENT_BUILDER_TOKEN: undefined, AGENT_BUILDER_URL: undefined });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^usage: pnpm --filter @agent-builder\/spaces start usage \| archive <spaceId>/);
    expect(result.stderr).toMatch(/AGENT_BUILDER_TOKEN +bearer token \(required\)/);
    expect(result.stderr).toMatch(/AGENT_BUILDER_URL +the API's tRPC endpoint \(default http:\/\/localhost:3000\/trpc/);
  });
});
