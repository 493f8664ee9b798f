import { TRPCError } from "@trpc/server";

import { queryRows, sql, type Tx } from "@agent-builder/db";

import type { Caller } from "../auth";

/**
 * The first verified request from a new tenant or user creates their mirror rows, so foreign
 * keys hold before `directory.*` fills in details. Safe under concurrency: parallel first
 * requests wait on the unique index and then do nothing.
 */
export async function ensureCallerMirror(tx: Tx, caller: Caller): Promise<void> {
  const [inserted] = await queryRows<{ created: boolean }>(
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
  if (inserted?.created) return;
  // A separate statement on purpose: it takes a fresh snapshot, so it sees a row that a
  // concurrent first request committed while the insert above waited for it.
  const [existing] = await queryRows<{ ours: boolean }>(tx, sql`select exists (select 1 from users where id = ${caller.userId}) as ours`);
  // The user id exists, but in another tenant: the token contradicts the directory.
  if (!existing?.ours) throw new TRPCError({ code: "UNAUTHORIZED", message: "token subject is not a user of this tenant" });
}
