/**
 * The app as the README runs it: its `start` script, through pnpm, as a child process.
 * (apps/spaces/test/cli.ts is the same file: each example app stands alone.)
 */
import { spawnSync } from "node:child_process";
import { realpathSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const appDir = fileURLToPath(new URL("..", import.meta.url));
const sdkDist = pathToFileURL(join(realpathSync(join(appDir, "../../packages/sdk")), "dist")).href + "/";

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `pnpm start <args>` in the app's folder; `undefined` removes a variable from the environment. */
export function start(args: string[], env: Record<string, string | undefined>): Run {
  return run("pnpm", ["--silent", "start", ...args], env);
}

export function run(command: string, args: string[], env: Record<string, string | undefined>): Run {
  const merged: Record<string, string | undefined> = { ...process.env, ...env };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  const result = spawnSync(command, args, { cwd: appDir, env: merged, encoding: "utf8", timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
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
