/**
 * A sibling app (apps/spaces, apps/notebooks) as the README runs it: its `start` script, through
 * pnpm, as a child process.
 */
import { spawnSync } from "node:child_process";
import { realpathSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { fileURLToPath, pathToFileURL } from "node:url";

const sdkDist = `${pathToFileURL(realpathSync(fileURLToPath(new URL("../../packages/sdk", import.meta.url)))).href}/dist/`;

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs commands in the app's folder (`appDir`: its URL or path); `undefined` removes a variable from the environment. */
export function siblingApp(appDir: URL | string) {
  const cwd = typeof appDir === "string" ? appDir : fileURLToPath(appDir);
  const run = (command: string, args: string[], env: Record<string, string | undefined>): Run => {
    const merged: Record<string, string | undefined> = { ...process.env, ...env };
    for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
    const result = spawnSync(command, args, { cwd, env: merged, encoding: "utf8", timeout: 60_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  /** `pnpm start <args>`, as the README runs it. */
  const start = (args: string[], env: Record<string, string | undefined>) => run("pnpm", ["--silent", "start", ...args], env);
  return { run, start };
}

/** A local URL where nothing listens: a port the OS just handed out, closed again. */
export async function urlWhereNothingListens(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/trpc`;
}

const dataUrl = (module: string) => `data:text/javascript,${encodeURIComponent(module)}`;

/**
 * NODE_OPTIONS under which resolving any module into packages/sdk/dist throws: a process that
 * succeeds under it did not use the built SDK (and the dist other tests use stays in place).
 */
export function refusingSdkDist(): string {
  const hooks = `export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (result.url.startsWith(${JSON.stringify(sdkDist)})) throw new Error("loaded the SDK's dist: " + result.url);
  return result;
}`;
  const register = `import { register } from "node:module"; register(${JSON.stringify(dataUrl(hooks))});`;
  return `--import=${dataUrl(register)}`;
}
