import { sql } from "drizzle-orm";
import { boolean, check, foreignKey, index, integer, jsonb, pgEnum, pgTable, unique, uuid } from "drizzle-orm/pg-core";

import { agentResourceKinds, limits } from "@agent-builder/contracts";

import { agents } from "./agents";
import { sqlLiteral, tenantIdColumn, timestamps } from "./columns";
import { tools } from "./tools";

export const agentResourceKind = pgEnum("agent_resource_kind", agentResourceKinds);

/**
 * What an agent uses, one row per attachment (seed 002's `agent_resources`): for now tools only
 * (`kind = 'tool'`, `tool_id` set). Each carries its own configuration, an enabled flag and a
 * position (the order the agent sees them in). Deleting the agent or the tool removes the row.
 */
export const agentResources = pgTable(
  "agent_resources",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    agentId: uuid("agent_id").notNull(),
    kind: agentResourceKind("kind").notNull().default("tool"),
    toolId: uuid("tool_id").notNull(),
    position: integer("position").notNull().default(0),
    enabled: boolean("enabled").notNull().default(true),
    configuration: jsonb("configuration").$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    ...timestamps,
  },
  (t) => [
    check("agent_resources_position_range", sql`${t.position} between 0 and ${sqlLiteral(limits.agentToolPositionMax)}`),
    check("agent_resources_configuration_object", sql`jsonb_typeof(${t.configuration}) = 'object'`),
    unique("agent_resources_tenant_agent_tool_key").on(t.tenantId, t.agentId, t.toolId),
    foreignKey({
      name: "agent_resources_tenant_agent_fkey",
      columns: [t.tenantId, t.agentId],
      foreignColumns: [agents.tenantId, agents.id],
    }).onDelete("cascade"),
    foreignKey({
      name: "agent_resources_tenant_tool_fkey",
      columns: [t.tenantId, t.toolId],
      foreignColumns: [tools.tenantId, tools.id],
    }).onDelete("cascade"),
    // The tool's side of the cascade ("deleting a tool detaches it everywhere").
    index("agent_resources_tenant_tool_idx").on(t.tenantId, t.toolId),
  ],
);
