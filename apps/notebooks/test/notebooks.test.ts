import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { type AgentBuilderClient, createAgentBuilderClient } from "@agent-builder/sdk";

import { type RunningApi, startApiServer } from "../../../test/support/api-server";
import { refusingSdkDist, siblingApp, urlWhereNothingListens } from "../../../test/support/sibling-app";
import { agentsUsingNotebook, onNotebookDeleted } from "../src/notebooks";

const { run, start } = siblingApp(new URL("..", import.meta.url));

describe("notebooks app against the running API", () => {
  let api: RunningApi;
  let client: AgentBuilderClient;
  let token: string;
  const notebook = crypto.randomUUID();
  const kept = crypto.randomUUID();
  const using: string[] = [];

  beforeAll(async () => {
    api = await startApiServer();
    token = await api.token({ sub: crypto.randomUUID(), tid: "notebooks-app", role: "service" });
    client = createAgentBuilderClient({ url: api.url, getToken: () => token });
    const space = await client.directory.upsertSpace.mutate({ id: crypto.randomUUID(), name: "Research" });
    const llmConfig = { provider: "openai", model: "gpt-4.1-mini" } as const;
    for (let i = 0; i < 3; i++) {
      using.push(
        (await client.agents.create.mutate({ name: `Reader ${i}`, spaceId: space.id, llmConfig, notebookIds: [notebook, kept] })).id,
      );
    }
    await client.agents.create.mutate({ name: "Unrelated", spaceId: space.id, llmConfig, notebookIds: [kept] });
  });
  afterAll(() => api?.close());

  it("lists the agents using a notebook", async () => {
    expect((await agentsUsingNotebook(client, notebook)).map((a) => a.id).sort()).toEqual([...using].sort());
  });

  it("detaches a deleted notebook from every agent, leaving their other notebooks", async () => {
    expect(await onNotebookDeleted(client, notebook)).toBe(3);
    expect(await agentsUsingNotebook(client, notebook)).toEqual([]);
    expect(await agentsUsingNotebook(client, kept)).toHaveLength(4);
  });

  it("works as a command", () => {
    const cwd = fileURLToPath(new URL("..", import.meta.url));
    const env = { ...process.env, AGENT_BUILDER_URL: api.url, AGENT_BUILDER_TOKEN: token };
    const out = execFileSync(process.execPath, ["--import", "tsx", "src/cli.ts", "agents", kept], { cwd, env }).toString();
    expect(out).toMatch(/4 agent\(s\) use notebook/);
  });

  it("`start` runs on the SDK's source: it works with no SDK built", () => {
    const env = { AGENT_BUILDER_URL: api.url, AGENT_BUILDER_TOKEN: token, NODE_OPTIONS: refusingSdkDist() };
    // The guard holds: the same command on the built SDK is refused.
    const onDist = run(process.execPath, ["--import", "tsx", "src/cli.ts", "agents", kept], env);
    expect(onDist.status).not.toBe(0);
    expect(onDist.stderr).toContain("loaded the SDK's dist");

    const result = start(["agents", kept], env);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`4 agent(s) use notebook ${kept}`);
  });

  it("says when the API is not at AGENT_BUILDER_URL", () => {
    const result = start(["agents", kept], { AGENT_BUILDER_URL: `${api.url.replace(/\/trpc$/, "")}/nothing`, AGENT_BUILDER_TOKEN: token });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(/answered HTTP 404, not as the Agent Builder API: set AGENT_BUILDER_URL/);
  });
});

describe("notebooks command without an API", () => {
  it("names the URL, `pnpm dev` and AGENT_BUILDER_URL when nothing listens there, without a stack trace", async () => {
    const url = await urlWhereNothingListens();
    const result = start(["deleted", crypto.randomUUID()], { AGENT_BUILDER_URL: url, AGENT_BUILDER_TOKEN: "any" });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim()).toBe(
      `cannot reach the Agent Builder API at ${url} (ECONNREFUSED). ` +
        "Start it with `pnpm dev` in the repository root, or set AGENT_BUILDER_URL to where it runs.",
    );
  });

  it("prints its usage, naming AGENT_BUILDER_TOKEN and AGENT_BUILDER_URL, when the token is missing", () => {
    const result = start(["agents", crypto.randomUUID()], { AGENT_BUILDER_TOKEN: undefined, AGENT_BUILDER_URL: undefined });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^usage: pnpm --filter @agent-builder\/notebooks start agents\|deleted <notebookId>/);
    expect(result.stderr).toMatch(/AGENT_BUILDER_TOKEN +bearer token \(required\)/);
    expect(result.stderr).toMatch(/AGENT_BUILDER_URL +the API's tRPC endpoint \(default http:\/\/localhost:3000\/trpc/);
  });
});
