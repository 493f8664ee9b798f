import { type Agent, type AgentBuilderClient, paginate } from "@agent-builder/sdk";

/** The agents that draw knowledge from a notebook (all pages, all statuses). */
export async function agentsUsingNotebook(client: AgentBuilderClient, notebookId: string): Promise<Agent[]> {
  const agents: Agent[] = [];
  for await (const agent of paginate(client.agents.list, { notebookId })) agents.push(agent);
  return agents;
}

/**
 * Called when the notebooks service deletes a notebook: every agent that referenced it stops
 * doing so, in one call (and one statement on the server), so none is left pointing at nothing.
 */
export async function onNotebookDeleted(client: AgentBuilderClient, notebookId: string): Promise<number> {
  const { agentsUpdated } = await client.agents.detachNotebook.mutate({ notebookId });
  return agentsUpdated;
}
