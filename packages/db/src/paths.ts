import { fileURLToPath } from "node:url";

/** Where `pnpm dev` and the db commands keep the embedded database when DATABASE_URL is unset. */
export const defaultPgliteDir = fileURLToPath(new URL("../../../.data/pglite", import.meta.url));
