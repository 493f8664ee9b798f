import { sql } from "drizzle-orm";
import { boolean, check, foreignKey, index, integer, jsonb, pgEnum, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";

import { agentStatuses, type LlmConfig } from "@agent-builder/contracts";

import { tenantIdColumn, timestamps } from "./columns";
import { spaces, tenants, users } from "./tenancy";

export const agentStatus = pgEnum("agent_status", agentStatuses);

export const agents = pgTable(
  "agents",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    name: text("name").notNull(),
    description: text("description"),
    status: agentStatus("status").notNull().default("draft"),
    ownerId: uuid("owner_id").notNull(),
    spaceId: uuid("space_id").notNull(),
    llmConfig: jsonb("llm_config").$type<LlmConfig>().notNull(),
    /** Write-only provider credential, kept out of `llm_config` so no read of the config can leak it. */
    llmApiKey: text("llm_api_key"),
    notebookIds: uuid("notebook_ids").array().notNull().default(sql`'{}'::uuid[]`),
    enableKnowledge: boolean("enable_knowledge").notNull().default(false),
    enableMemory: boolean("enable_memory").notNull().default(false),
    /** Optimistic concurrency: every change bumps it; `agents.update` must name the version it read. */
    version: integer("version").notNull().default(1),
    ...timestamps,
  },
  (t) => [
    check("agents_name_length", sql`length(${t.name}) between 1 and 255`),
    check("agents_version_positive", sql`${t.version} >= 1`),
    unique("agents_tenant_id_id_key").on(t.tenantId, t.id),
    foreignKey({ name: "agents_tenant_id_fkey", columns: [t.tenantId], foreignColumns: [tenants.id] }),
    foreignKey({
      name: "agents_tenant_space_fkey",
      columns: [t.tenantId, t.spaceId],
      foreignColumns: [spaces.tenantId, spaces.id],
    }),
    foreignKey({
      name: "agents_tenant_owner_fkey",
      columns: [t.tenantId, t.ownerId],
      foreignColumns: [users.tenantId, users.id],
    }),
    // Seed list: agents(owner_id), (owner_id, status), (space_id), (space_id, status), (status).
    // Each is led by tenant_id because every query is tenant-scoped; the single-column ones are
    // served by the prefixes of the composite ones.
    index("agents_tenant_owner_status_idx").on(t.tenantId, t.ownerId, t.status),
    index("agents_tenant_space_status_idx").on(t.tenantId, t.spaceId, t.status),
    index("agents_tenant_status_idx").on(t.tenantId, t.status),
    // Keyset pagination for the sort orders `agents.list` offers.
    index("agents_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
    index("agents_tenant_updated_idx").on(t.tenantId, t.updatedAt, t.id),
    index("agents_tenant_name_idx").on(t.tenantId, t.name, t.id),
    index("agents_notebook_ids_gin_idx").using("gin", t.notebookIds),
  ],
);
