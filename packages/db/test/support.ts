import { sql } from "drizzle-orm";

import { type Database, queryRows, withTenant } from "../src";

/** Creates a tenant with one user and one space through the tenant scope, as the API would. */
export async function makeTenant(db: Database, tenantId: string) {
  const userId = crypto.randomUUID();
  const spaceId = crypto.randomUUID();
  await withTenant(db, tenantId, async (tx) => {
    await tx.execute(sql`insert into tenants (id) values (${tenantId})`);
    await tx.execute(sql`insert into users (id, tenant_id) values (${userId}, ${tenantId})`);
    await tx.execute(sql`insert into spaces (id, tenant_id, name) values (${spaceId}, ${tenantId}, 'Space')`);
  });
  return { tenantId, userId, spaceId };
}

export async function makeAgent(db: Database, t: { tenantId: string; userId: string; spaceId: string }) {
  return withTenant(db, t.tenantId, async (tx) => {
    const [row] = await queryRows<{ id: string }>(
      tx,
      sql`insert into agents (tenant_id, name, owner_id, space_id, llm_config, status)
          values (${t.tenantId}, 'Agent', ${t.userId}, ${t.spaceId}, '{"provider":"openai","model":"m"}', 'active')
          returning id`,
    );
    return row!.id;
  });
}

/** A Postgres error code from a failed promise (drizzle wraps the driver error in `cause`). */
export async function pgErrorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    let current: unknown = error;
    while (current) {
      const code = (current as { code?: unknown }).code;
      if (typeof code === "string") return code;
      current = (current as { cause?: unknown }).cause;
    }
    throw error;
  }
  throw new Error("expected the statement to fail");
}
