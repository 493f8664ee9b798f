import { sql } from "drizzle-orm";

import { appRole, staffRole, type Tx } from "../tenant-scope";

/**
 * Inside a staff transaction (withStaff, `admin.*`): runs `work` as the app role scoped to one
 * tenant, then switches back to the staff role. Maintenance writes (retention deletes, closing
 * stuck executions) thereby go through the tenant's row-level security policy and the app role's
 * grants, in the same transaction as the staff request and its audit entry. The staff role
 * itself keeps read-only access to tenant data; nothing grants it DELETE.
 *
 * SET ROLE is checked against the session's login role, which must be a member of both roles
 * (the local superuser is; on Neon the request role is granted both, see docs/deploy.md).
 * No `finally`: if `work` fails, the transaction is aborted and rolls back, roles included.
 */
export async function actAsTenant<T>(tx: Tx, tenantId: string, work: () => Promise<T>): Promise<T> {
  await tx.execute(sql`select set_config('app.tenant_id', ${tenantId}, true), set_config('role', ${appRole}, true)`);
  const result = await work();
  await tx.execute(sql`select set_config('app.tenant_id', '', true), set_config('role', ${staffRole}, true)`);
  return result;
}
