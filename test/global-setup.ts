import { finishTestRun, prepareTestDatabases } from "@agent-builder/db/testing";

/** Migrates once for the whole run; each test file copies the result. */
export async function setup() {
  await prepareTestDatabases();
}

export async function teardown() {
  await finishTestRun();
}
