import { defineConfig } from "drizzle-kit";

// Schema generation only: `pnpm db:generate` diffs the Drizzle tables into a new SQL migration.
// Applying and rolling back migrations is `pnpm db:migrate` / `pnpm db:rollback` (packages/db/src/migrations.ts),
// because drizzle-kit has no down migrations.
export default defineConfig({
  dialect: "postgresql",
  schema: "./packages/db/src/schema/index.ts",
  out: "./packages/db/migrations",
  dbCredentials: { url: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test" },
});
