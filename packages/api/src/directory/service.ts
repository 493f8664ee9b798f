import type { ListSpacesInput, Space, UpsertSpaceInput, UpsertUserInput, User } from "@agent-builder/contracts";
import { and, asc, eq, type SQL, spaces, sql, type Tx, users } from "@agent-builder/db";

import type { Caller } from "../auth";
import { decodeCursor, toPage } from "../pagination";

const iso = <T extends { createdAt: Date; updatedAt: Date }>(row: T) => ({
  ...row,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/**
 * Creates or updates a user of the caller's tenant. An id owned by another tenant is invisible
 * here: row-level security rejects the update (mapped to FORBIDDEN), nothing is revealed.
 */
export async function upsertUser(tx: Tx, caller: Caller, input: UpsertUserInput): Promise<User> {
  const details = {
    email: input.email,
    ...(input.displayName !== undefined && { displayName: input.displayName }),
    ...(input.role && { role: input.role }),
  };
  const [row] = await tx
    .insert(users)
    .values({ id: input.id, tenantId: caller.tenantId, ...details })
    .onConflictDoUpdate({ target: users.id, set: details })
    .returning({
      id: users.id,
      email: users.email,
      displayName: users.displayName,
      role: users.role,
      createdAt: users.createdAt,
      updatedAt: users.updatedAt,
    });
  if (!row) throw new Error("upsert into users returned no row");
  return iso(row);
}

export async function upsertSpace(tx: Tx, caller: Caller, input: UpsertSpaceInput): Promise<Space> {
  const [row] = await tx
    .insert(spaces)
    .values({ id: input.id, tenantId: caller.tenantId, name: input.name })
    .onConflictDoUpdate({ target: spaces.id, set: { name: input.name } })
    .returning({ id: spaces.id, name: spaces.name, createdAt: spaces.createdAt, updatedAt: spaces.updatedAt });
  if (!row) throw new Error("upsert into spaces returned no row");
  return iso(row);
}

export async function listSpaces(tx: Tx, caller: Caller, input: ListSpacesInput) {
  const ordering = "name:asc";
  const conditions: SQL[] = [eq(spaces.tenantId, caller.tenantId)];
  if (input.cursor) {
    const cursor = decodeCursor(input.cursor, ordering);
    conditions.push(sql`(${spaces.name}, ${spaces.id}) > (${cursor.v}, ${cursor.id}::uuid)`);
  }
  const rows = await tx
    .select({ id: spaces.id, name: spaces.name, createdAt: spaces.createdAt, updatedAt: spaces.updatedAt, cursorKey: spaces.name })
    .from(spaces)
    .where(and(...conditions))
    .orderBy(asc(spaces.name), asc(spaces.id))
    .limit(input.limit + 1);
  return toPage(rows, input.limit, ordering, ({ cursorKey: _key, ...space }) => iso(space));
}
