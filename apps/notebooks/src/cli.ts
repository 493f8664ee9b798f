/**
 * pnpm --filter @agent-builder/notebooks start agents <notebookId>
 * pnpm --filter @agent-builder/notebooks start deleted <notebookId>
 * Env: AGENT_BUILDER_TOKEN (required, a service token), AGENT_BUILDER_URL (default http://localhost:3000/trpc, `pnpm dev`).
 * `start` loads the SDK from its TypeScript source (export condition "agent-builder-source" in
 * packages/sdk/package.json), so it runs on a fresh clone with nothing built; typecheck and the
 * in-process tests import the built package, as an app outside the workspace would.
 */
import { createAgentBuilderClient } from "@agent-builder/sdk";

import { apiUrl, environmentHelp, explainFailure } from "./connection";
import { agentsUsingNotebook, onNotebookDeleted } from "./notebooks";

const [command, notebookId] = process.argv.slice(2);
const token = process.env.AGENT_BUILDER_TOKEN;
if (!token || !notebookId || !["agents", "deleted"].includes(command ?? "")) {
  console.error(`usage: pnpm --filter @agent-builder/notebooks start agents|deleted <notebookId>\n${environmentHelp}`);
  process.exit(2);
}
const url = apiUrl();
const client = createAgentBuilderClient({ url, getToken: () => token });

try {
  if (command === "agents") {
    const agents = await agentsUsingNotebook(client, notebookId);
    for (const agent of agents) console.log(`${agent.id}  ${agent.status.padEnd(8)}  ${agent.name}`);
    console.log(`${agents.length} agent(s) use notebook ${notebookId}`);
  } else {
    console.log(`detached notebook ${notebookId} from ${await onNotebookDeleted(client, notebookId)} agent(s)`);
  }
} catch (error) {
  console.error(explainFailure(error, url) ?? error);
  process.exit(1);
}
