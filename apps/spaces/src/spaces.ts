import { type AgentBuilderClient, paginate, type Space, type UsageTotals } from "@agent-builder/sdk";

export interface SpaceMonth {
  space: Space;
  agentCount: number;
  thisMonth: UsageTotals;
}

/** Usage of every space of the tenant for the current (UTC) month. */
export async function monthlyUsageBySpace(client: AgentBuilderClient): Promise<SpaceMonth[]> {
  const spaces: Space[] = [];
  for await (const space of paginate(client.directory.listSpaces, { limit: 100 })) spaces.push(space);
  // One request per space; the client batches those made in the same tick into one HTTP call.
  return Promise.all(
    spaces.map(async (space) => {
      const { agentCount, thisMonth } = await client.usage.space.query({ spaceId: space.id });
      return { space, agentCount, thisMonth };
    }),
  );
}

/**
 * Archives every agent of a space that is not archived yet (a space being closed down).
 * Archived agents keep their executions and usage; they only stop accepting new runs.
 */
export async function archiveSpace(client: AgentBuilderClient, spaceId: string): Promise<number> {
  const toArchive: string[] = [];
  for await (const agent of paginate(client.agents.list, { spaceId, status: ["draft", "active", "paused"] })) toArchive.push(agent.id);
  for (const id of toArchive) await client.agents.setStatus.mutate({ id, status: "archived" });
  return toArchive.length;
}
