/**
 * pnpm --filter @agent-builder/notebooks start agents <notebookId>
 * pnpm --filter @agent-builder/notebooks start deleted <notebookId>
 * Env: AGENT_BUILDER_URL (default http://localhost:3000/trpc), AGENT_BUILDER_TOKEN (a service token).
 */
import { createAgentBuilderClient, isApiError } from "@agent-builder/sdk";

import { agentsUsingNotebook, onNotebookDeleted } from "./notebooks";

const [command, notebookId] = process.argv.slice(2);
const token = process.env.AGENT_BUILDER_TOKEN;
if (!token || !notebookId || !["agents", "deleted"].includes(command ?? "")) {
  console.error("usage: AGENT_BUILDER_TOKEN=... start agents|deleted <notebookId>");
  process.exit(2);
}
const client = createAgentBuilderClient({ url: process.env.AGENT_BUILDER_URL ?? "http://localhost:3000/trpc", getToken: () => token });

try {
  if (command === "agents") {
    const agents = await agentsUsingNotebook(client, notebookId);
    for (const agent of agents) console.log(`${agent.id}  ${agent.status.padEnd(8)}  ${agent.name}`);
    console.log(`${agents.length} agent(s) use notebook ${notebookId}`);
  } else {
    console.log(`detached notebook ${notebookId} from ${await onNotebookDeleted(client, notebookId)} agent(s)`);
  }
} catch (error) {
  console.error(isApiError(error) ? `${error.data?.code ?? "ERROR"}: ${error.message}` : error);
  process.exit(1);
}
