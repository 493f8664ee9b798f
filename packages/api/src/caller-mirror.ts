import { queryRow, sql, type Tx } from "@agent-builder/db";

import type { Caller } from "./auth";
import { Unauthorized } from "./domain-errors";

/**
 * The caller's mirror rows, which the tenant step of the ladder (trpc.ts) writes: the first
 * verified request from a new tenant or user creates their `tenants` and `users` rows, so
 * foreign keys hold before `directory.*` fills in details.
 */

/**
 * Safe under concurrency: parallel first requests wait on the unique index and then do nothing.
 * A token whose subject is a user of another tenant is refused (UNAUTHORIZED).
 */
export async function ensureCallerMirror(tx: Tx, caller: Caller): Promise<void> {
  const inserted = await queryRow<{ created: boolean }>(
    tx,
    sql`with new_tenant as (
          insert into tenants (id) values (${caller.tenantId}) on conflict do nothing
        ), new_user as (
          insert into users (id, tenant_id, role) values (${caller.userId}, ${caller.tenantId}, ${caller.role})
          on conflict do nothing
          returning id
        )
        select exists (select 1 from new_user) as created`,
  );
  if (inserted.created) return;
  // A separate statement on purpose: it takes a fresh snapshot, so it sees a row that a
  // concurrent first request committed while the insert above waited for it.
  const existing = await queryRow<{ ours: boolean }>(tx, sql`select exists (select 1 from users where id = ${caller.userId}) as ours`);
  // The user id exists, but in another tenant: the token contradicts the directory.
  if (!existing.ours) throw new Unauthorized("token subject is not a user of this tenant");
}

/** Where `ApiDeps.knownCallers` keeps a caller: (tenant, user) pairs whose mirror rows are known to exist. */
function callerKey(caller: Caller): string {
  return `${caller.tenantId}\u0000${caller.userId}`;
}

/** True when the caller's mirror rows are known to exist, so the upsert round trip can be skipped. */
export function isKnownCaller(known: Set<string> | undefined, caller: Caller): boolean {
  return known?.has(callerKey(caller)) ?? false;
}

/** Call only after commit: a rolled-back first request must not mark its mirror rows as present. */
export function rememberCaller(known: Set<string> | undefined, caller: Caller): void {
  if (!known) return;
  if (known.size > 50_000) known.clear(); // bounded memory
  known.add(callerKey(caller));
}
