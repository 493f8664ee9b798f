import { createRequire } from "node:module";
import { dirname, join } from "node:path";

// Found by module resolution, not relative to this file, so the paths stay right when this
// code is bundled into an app (apps/server/dist/node.js).
const packageDir = dirname(createRequire(import.meta.url).resolve("@agent-builder/db/package.json"));

/** drizzle-kit's output folder: `<tag>.sql` + meta/_journal.json, and our `down/<tag>.sql`. */
export const migrationsFolder = join(packageDir, "migrations");

/**
 * Where `pnpm dev` and the db commands keep the embedded database when DATABASE_URL is unset:
 * `.data/pglite` at the repository root, or PGLITE_DIR.
 */
export const defaultPgliteDir = process.env.PGLITE_DIR || join(packageDir, "../../.data/pglite");
