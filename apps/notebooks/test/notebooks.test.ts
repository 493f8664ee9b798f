import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createAgentBuilderClient, type AgentBuilderClient } from "@agent-builder/sdk";

import { startApiServer, type RunningApi } from "../../../test/support/api-server";
import { agentsUsingNotebook, onNotebookDeleted } from "../src/notebooks";

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
      using.push((await client.agents.create.mutate({ name: `Reader ${i}`, spaceId: space.id, llmConfig, notebookIds: [notebook, kept] })).id);
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
});
