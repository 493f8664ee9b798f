import { TRPCError } from "@trpc/server";

import { queryRows, sql, type Tx } from "@agent-builder/db";

import type { Caller } from "../auth";

/**
 * The first verified request from a new tenant or user creates their mirror rows, so foreign
 * keys hold before `directory.*` fills in details. One statement, safe under concurrency:
 * parallel first requests wait on the unique index and then do nothing.
 */
export async function ensureCallerMirror(tx: Tx, caller: Caller): Promise<void> {
  const [row] = await queryRows<{ ok: boolean }>(
    tx,
    sql`with new_tenant as (
          insert into tenants (id) values (${caller.tenantId}) on conflict do nothing
        ), new_user as (
          insert into users (id, tenant_id, role) values (${caller.userId}, ${caller.tenantId}, ${caller.role})
          on conflict do nothing
          returning id
        )
        select exists (select 1 from new_user) or exists (select 1 from users where id = ${caller.userId}) as ok`,
  );
  // The user id exists, but in another tenant: the token contradicts the directory.
  if (!row?.ok) throw new TRPCError({ code: "UNAUTHORIZED", message: "token subject is not a user of this tenant" });
}
