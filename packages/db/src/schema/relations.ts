import { relations } from "drizzle-orm";

import { agents } from "./agents";
import { agentExecutionSteps, agentExecutions } from "./executions";
import { spaces, users } from "./tenancy";
import { agentUsageStats } from "./usage";

export const agentRelations = relations(agents, ({ one, many }) => ({
  owner: one(users, { fields: [agents.ownerId], references: [users.id] }),
  space: one(spaces, { fields: [agents.spaceId], references: [spaces.id] }),
  stats: one(agentUsageStats, { fields: [agents.id], references: [agentUsageStats.agentId] }),
  executions: many(agentExecutions),
}));

export const executionRelations = relations(agentExecutions, ({ one, many }) => ({
  agent: one(agents, { fields: [agentExecutions.agentId], references: [agents.id] }),
  steps: many(agentExecutionSteps),
}));

export const stepRelations = relations(agentExecutionSteps, ({ one }) => ({
  execution: one(agentExecutions, { fields: [agentExecutionSteps.executionId], references: [agentExecutions.id] }),
}));
