/**
 * `pnpm -s dev:token [--tenant acme] [--user <uuid>] [--role member|service|admin] [--expires 12h]`
 * Prints a token signed with AUTH_JWT_SECRET (or the dev default) for any tenant, user and role.
 * Without --user it picks the demo user of that role in a demo tenant, or a fresh uuid.
 * Bad usage prints the problem and the usage (exit 2), never a stack trace.
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";

import { mintToken } from "@agent-builder/api";
import { tokenClaimsSchema, type UserRole, userRoles } from "@agent-builder/contracts";
import { demoTenants } from "@agent-builder/db";

import { loadConfig } from "./config";

const usage = `Usage: pnpm -s dev:token [--tenant T] [--user UUID] [--role R] [--expires D]

Prints a signed bearer token for the API (AUTH_JWT_SECRET, or the dev default).

  --tenant T    tenant id (default: acme; demo tenants: ${demoTenants.map((t) => t.id).join(", ")})
  --user UUID   user id (default: the demo user of that role, or a fresh uuid)
  --role R      ${userRoles.join(" | ")} (default: member)
  --expires D   lifetime: a number and a unit, e.g. 30m, 12h, 7d (default: 12h)
  -h, --help    show this help

Example: TOKEN=$(pnpm -s dev:token --tenant globex --role service)`;

/** The units jose's `setExpirationTime` accepts, in the short forms people type. */
const duration = /^\d+ ?(s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|w|weeks?)$/i;

function fail(problem: string): never {
  console.error(`dev:token: ${problem}\n\n${usage}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      tenant: { type: "string", default: "acme" },
      user: { type: "string" },
      role: { type: "string", default: "member" },
      expires: { type: "string", default: "12h" },
      help: { type: "boolean", short: "h" },
    },
  }));
} catch (error) {
  // parseArgs throws TypeErrors with a readable message: unknown option, missing value, stray argument.
  fail(error instanceof Error ? error.message : String(error));
}

if (values.help) {
  console.log(usage);
  process.exit(0);
}
const role = values.role as UserRole;
if (!userRoles.includes(role)) fail(`--role must be one of ${userRoles.join(", ")}, got "${values.role}"`);
if (!duration.test(values.expires)) fail(`--expires must be a number and a unit (30m, 12h, 7d), got "${values.expires}"`);

const demoUser = demoTenants.find((t) => t.id === values.tenant)?.users.find((u) => u.role === role);
const claims = tokenClaimsSchema.safeParse({ sub: values.user ?? demoUser?.id ?? randomUUID(), tid: values.tenant, role });
if (!claims.success) {
  const flags: Record<string, string> = { sub: "--user", tid: "--tenant", role: "--role" };
  fail(claims.error.issues.map((i) => `${flags[String(i.path[0])] ?? i.path.join(".")}: ${i.message}`).join("\n"));
}
const { auth } = loadConfig();
if (!auth.secret) {
  console.error("dev:token: AUTH_JWKS_URL is set: tokens come from the identity provider, not from this command");
  process.exit(2);
}
console.log(await mintToken(auth.secret, claims.data, { expiresIn: values.expires, issuer: auth.issuer, audience: auth.audience }));
