import { sql } from "drizzle-orm";
import { boolean, check, foreignKey, index, integer, jsonb, pgEnum, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";

import { agentStatuses, type LlmConfig, limits } from "@agent-builder/contracts";

import { sqlLiteral, tenantIdColumn, timestamps } from "./columns";
import { spaces, tenants, users } from "./tenancy";
import type { StoredToolSecret } from "./tools";

const tagMax = limits.tagLengthMax;
/** One line per tag, each 1..tagMax characters. */
const tagLines = sql.raw(`'^[^\\n]{1,${tagMax}}(\\n[^\\n]{1,${tagMax}})*$'`);

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
    /**
     * The provider credential as it was stored before migration 0013: plaintext. Kept for rows not
     * yet re-sealed (`pnpm secrets:reseal` seals them and nulls it); nothing writes a key here now.
     */
    llmApiKey: text("llm_api_key"),
    /**
     * Write-only provider credential, sealed like a tool's secret (AES-256-GCM, additional data
     * binding it to tenant and agent; packages/api/src/agents/credential.ts) and kept out of
     * `llm_config` so no read of the config can leak it. Reads show only its `hint`.
     */
    llmCredential: jsonb("llm_credential").$type<StoredToolSecret>(),
    notebookIds: uuid("notebook_ids").array().notNull().default(sql`'{}'::uuid[]`),
    enableKnowledge: boolean("enable_knowledge").notNull().default(false),
    enableMemory: boolean("enable_memory").notNull().default(false),
    // Persona and behaviour (CrewAI's role, goal, backstory, verbose, allow_delegation, reasoning,
    // max_iter). The persona is null until set: agents made before migration 0009 have none.
    role: text("role"),
    goal: text("goal"),
    backstory: text("backstory"),
    verbose: boolean("verbose").notNull().default(false),
    allowDelegation: boolean("allow_delegation").notNull().default(false),
    reasoning: boolean("reasoning").notNull().default(false),
    maxIterations: integer("max_iterations").notNull().default(limits.agentMaxIterationsDefault),
    /** One short label, normalised by the API (trimmed, lower case). */
    category: text("category"),
    /** A set of labels, normalised and deduplicated by the API; "agents with this tag" is `tags @> array[…]` (GIN). */
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    /**
     * The agent this one reports to and delegates with (seed 002's hierarchy). The
     * `agents_hierarchy_acyclic` trigger refuses a parent that would close a loop, also when two
     * changes race; deleting the parent leaves its reports without one.
     */
    parentAgentId: uuid("parent_agent_id"),
    /** Optimistic concurrency: every change bumps it; `agents.update` must name the version it read. */
    version: integer("version").notNull().default(1),
    ...timestamps,
  },
  (t) => [
    check("agents_name_length", sql`length(${t.name}) between 1 and 255`),
    check("agents_version_positive", sql`${t.version} >= 1`),
    // The contracts' bounds, again in the database (null passes: not set). The API counts UTF-16
    // units and Postgres characters, so a value the API accepts always passes here.
    check("agents_role_length", sql`length(${t.role}) between 1 and ${sqlLiteral(limits.agentRoleMax)}`),
    check("agents_goal_length", sql`length(${t.goal}) between 1 and ${sqlLiteral(limits.agentGoalMax)}`),
    check("agents_backstory_length", sql`length(${t.backstory}) between 1 and ${sqlLiteral(limits.agentBackstoryMax)}`),
    check("agents_category_length", sql`length(${t.category}) between 1 and ${sqlLiteral(limits.agentCategoryMax)}`),
    check(
      "agents_max_iterations_range",
      sql`${t.maxIterations} between ${sqlLiteral(limits.agentMaxIterationsMin)} and ${sqlLiteral(limits.agentMaxIterationsMax)}`,
    ),
    check("agents_tags_count", sql`cardinality(${t.tags}) <= ${sqlLiteral(limits.tagsMax)}`),
    // No null tag, and each 1..max characters: joined by newlines (a normalised tag has no
    // whitespace but single spaces), every line must match. Uniqueness is the API's (a set).
    check(
      "agents_tags_length",
      sql`array_position(${t.tags}, null) is null and (cardinality(${t.tags}) = 0 or array_to_string(${t.tags}, chr(10)) ~ ${tagLines})`,
    ),
    // A credential is in one form: sealed, or (until re-sealed) the legacy plaintext, never both.
    check("agents_credential_one_form", sql`${t.llmApiKey} is null or ${t.llmCredential} is null`),
    check(
      "agents_credential_sealed",
      sql`${t.llmCredential} is null or (jsonb_typeof(${t.llmCredential}) = 'object' and ${t.llmCredential} ?& array['kid', 'iv', 'ciphertext', 'hint'])`,
    ),
    unique("agents_tenant_id_id_key").on(t.tenantId, t.id),
    foreignKey({ name: "agents_tenant_id_fkey", columns: [t.tenantId], foreignColumns: [tenants.id] }),
    check("agents_parent_not_self", sql`${t.parentAgentId} <> ${t.id}`),
    foreignKey({
      name: "agents_tenant_parent_fkey",
      columns: [t.tenantId, t.parentAgentId],
      foreignColumns: [t.tenantId, t.id],
    }).onDelete("set null"),
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
    index("agents_tenant_parent_idx").on(t.tenantId, t.parentAgentId).where(sql`${t.parentAgentId} is not null`),
    index("agents_notebook_ids_gin_idx").using("gin", t.notebookIds),
    // "Agents with this tag" (`tags @> array[…]`). Not led by tenant_id (a GIN index takes no
    // btree column without btree_gin): the planner weighs it against the tenant indexes.
    index("agents_tags_gin_idx").using("gin", t.tags),
  ],
);
