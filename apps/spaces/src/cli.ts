/**
 * pnpm --filter @agent-builder/spaces start usage
 * pnpm --filter @agent-builder/spaces start archive <spaceId>
 * Env: AGENT_BUILDER_URL (default http://localhost:3000/trpc), AGENT_BUILDER_TOKEN.
 */
import { createAgentBuilderClient, isApiError } from "@agent-builder/sdk";

import { archiveSpace, monthlyUsageBySpace } from "./spaces";

const [command, spaceId] = process.argv.slice(2);
const token = process.env.AGENT_BUILDER_TOKEN;
if (!token || !(command === "usage" || (command === "archive" && spaceId))) {
  console.error("usage: AGENT_BUILDER_TOKEN=... start usage | archive <spaceId>");
  process.exit(2);
}
const client = createAgentBuilderClient({ url: process.env.AGENT_BUILDER_URL ?? "http://localhost:3000/trpc", getToken: () => token });
const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 4 });

try {
  if (command === "usage") {
    for (const { space, agentCount, thisMonth } of await monthlyUsageBySpace(client)) {
      console.log(
        `${space.name.padEnd(24)} ${String(agentCount).padStart(3)} agents  ${String(thisMonth.executions).padStart(6)} runs  ` +
          `${String(thisMonth.failed).padStart(4)} failed  ${usd.format(thisMonth.costUsd).padStart(10)}`,
      );
    }
  } else {
    console.log(`archived ${await archiveSpace(client, spaceId!)} agent(s) of space ${spaceId}`);
  }
} catch (error) {
  console.error(isApiError(error) ? `${error.data?.code ?? "ERROR"}: ${error.message}` : error);
  process.exit(1);
}
