/**
 * pnpm --filter @agent-builder/spaces start usage
 * pnpm --filter @agent-builder/spaces start archive <spaceId>
 * Env: AGENT_BUILDER_TOKEN (required), AGENT_BUILDER_URL (default http://localhost:3000/trpc, `pnpm dev`).
 * `start` loads the SDK from its TypeScript source (export condition "agent-builder-source" in
 * packages/sdk/package.json), so it runs on a fresh clone with nothing built; typecheck and the
 * in-process tests import the built package, as an app outside the workspace would.
 */
import { createAgentBuilderClient } from "@agent-builder/sdk";

import { apiUrl, environmentHelp, explainFailure } from "./connection";
import { archiveSpace, monthlyUsageBySpace } from "./spaces";

const [command, spaceId] = process.argv.slice(2);
const token = process.env.AGENT_BUILDER_TOKEN;
if (!token || !(command === "usage" || (command === "archive" && spaceId))) {
  console.error(`usage: pnpm --filter @agent-builder/spaces start usage | archive <spaceId>\n${environmentHelp}`);
  process.exit(2);
}
const url = apiUrl();
const client = createAgentBuilderClient({ url, getToken: () => token });
const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 4 });

try {
  if (command === "usage") {
    for (const { space, agentCount, thisMonth } of await monthlyUsageBySpace(client)) {
      console.log(
        `${space.name.padEnd(24)} ${String(agentCount).padStart(3)} agents  ${String(thisMonth.executions).padStart(6)} runs  ` +
          `${String(thisMonth.failed).padStart(4)} failed  ${usd.format(thisMonth.costUsd).padStart(10)}`,
      );
    }
  } else if (spaceId) {
    console.log(`archived ${await archiveSpace(client, spaceId)} agent(s) of space ${spaceId}`);
  }
} catch (error) {
  console.error(explainFailure(error, url) ?? error);
  process.exit(1);
}
