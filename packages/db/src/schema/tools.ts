import { sql } from "drizzle-orm";
import { check, foreignKey, index, integer, jsonb, pgEnum, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";

import { toolLanguages, toolTypes } from "@agent-builder/contracts";

import { tenantIdColumn, timestamps } from "./columns";
import { tenants, users } from "./tenancy";

export const toolType = pgEnum("tool_type", toolTypes);
export const toolLanguage = pgEnum("tool_language", toolLanguages);

/** A secret as stored: AES-256-GCM (packages/api/src/secrets.ts) plus the masked hint reads show. */
export interface StoredToolSecret {
  kid: string;
  iv: string;
  ciphertext: string;
  hint: string;
}

export const tools = pgTable(
  "tools",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    name: text("name").notNull(),
    description: text("description"),
    type: toolType("type").notNull(),
    /** The arguments' JSON Schema, checked against the meta-schema by the API. */
    parameters: jsonb("parameters").$type<Record<string, unknown>>().notNull(),
    configuration: jsonb("configuration").$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    /** Write-only, encrypted: name → sealed value. No read returns it, only the hints. */
    secrets: jsonb("secrets").$type<Record<string, StoredToolSecret>>().notNull().default(sql`'{}'::jsonb`),
    code: text("code"),
    language: toolLanguage("language"),
    usageExamples: text("usage_examples").array().notNull().default(sql`'{}'::text[]`),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    createdBy: uuid("created_by").notNull(),
    /** Optimistic concurrency: every change bumps it; `tools.update` must name the version it read. */
    version: integer("version").notNull().default(1),
    ...timestamps,
  },
  (t) => [
    check("tools_name_length", sql`length(${t.name}) between 1 and 255`),
    check("tools_version_positive", sql`${t.version} >= 1`),
    // Code and its language belong to code tools, and code tools have both.
    check(
      "tools_code_only_for_code_tools",
      sql`(${t.type} = 'code') = (${t.code} is not null) and (${t.code} is null) = (${t.language} is null)`,
    ),
    unique("tools_tenant_id_id_key").on(t.tenantId, t.id),
    unique("tools_tenant_name_key").on(t.tenantId, t.name),
    foreignKey({ name: "tools_tenant_id_fkey", columns: [t.tenantId], foreignColumns: [tenants.id] }),
    foreignKey({
      name: "tools_tenant_creator_fkey",
      columns: [t.tenantId, t.createdBy],
      foreignColumns: [users.tenantId, users.id],
    }),
    index("tools_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
    index("tools_tenant_updated_idx").on(t.tenantId, t.updatedAt, t.id),
    index("tools_tenant_type_idx").on(t.tenantId, t.type),
    index("tools_tags_gin_idx").using("gin", t.tags),
  ],
);
