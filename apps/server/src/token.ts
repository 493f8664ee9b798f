/**
 * `pnpm -s dev:token [--tenant acme] [--user <uuid>] [--role member|service|admin] [--expires 12h]`
 * Prints a token signed with AUTH_JWT_SECRET (or the dev default) for any tenant, user and role.
 * Without --user it picks the demo user of that role in a demo tenant, or a fresh uuid.
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";

import { mintToken } from "@agent-builder/api";
import { tokenClaims, userRoles, type UserRole } from "@agent-builder/contracts";
import { demoTenants } from "@agent-builder/db";

import { loadConfig } from "./config";

const { values } = parseArgs({
  options: {
    tenant: { type: "string", default: "acme" },
    user: { type: "string" },
    role: { type: "string", default: "member" },
    expires: { type: "string", default: "12h" },
  },
});

const role = values.role as UserRole;
if (!userRoles.includes(role)) {
  console.error(`--role must be one of ${userRoles.join(", ")}`);
  process.exit(2);
}
const demoUser = demoTenants.find((t) => t.id === values.tenant)?.users.find((u) => u.role === role);
const claims = tokenClaims.safeParse({ sub: values.user ?? demoUser?.id ?? randomUUID(), tid: values.tenant, role });
if (!claims.success) {
  console.error(claims.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n"));
  process.exit(2);
}
const { auth } = loadConfig();
if (!auth.secret) {
  console.error("AUTH_JWKS_URL is set: tokens come from the identity provider, not from this command");
  process.exit(2);
}
console.log(await mintToken(auth.secret, claims.data, { expiresIn: values.expires, issuer: auth.issuer, audience: auth.audience }));
