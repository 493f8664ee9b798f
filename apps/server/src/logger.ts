/**
 * The server's logger: pino. On Node, JSON lines written straight to stdout (no worker thread,
 * no pretty-printing in production); in development, the same lines turned into a short readable
 * one. The edge bundle resolves pino's browser build, which hands each line to `browser.write`:
 * JSON through `console`, which is where Vercel's function logs come from.
 */
import { pino } from "pino";

import type { LogFields, Logger } from "@agent-builder/api";

import type { LogLevelName, ServerConfig } from "./config";

export interface LoggerOptions {
  level: LogLevelName;
  /** JSON lines (production, edge) or one readable line per entry (development). */
  format: "json" | "readable";
  /** Where lines go, one string per line; stdout by default. Node only. */
  destination?: { write(line: string): void };
}

export type ServerLogger = Required<Logger>;

/** LOG_LEVEL, and JSON in production, readable lines otherwise. */
export function loggerFor(config: Pick<ServerConfig, "logLevel" | "production">): ServerLogger {
  return createLogger({ level: config.logLevel, format: config.production ? "json" : "readable" });
}

export function createLogger({ level, format, destination }: LoggerOptions): ServerLogger {
  const toConsole = (write: (line: string) => void) => (entry: object) => write(JSON.stringify(entry));
  const target = format === "readable" ? readableLines(destination ?? process.stdout, !destination && process.stdout.isTTY) : destination;
  const log = pino(
    {
      level,
      base: undefined, // no pid and hostname on every line
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      browser: {
        formatters: { level: (label) => ({ level: label }) },
        write: {
          fatal: toConsole(console.error),
          error: toConsole(console.error),
          warn: toConsole(console.warn),
          info: toConsole(console.log),
          debug: toConsole(console.log),
          trace: toConsole(console.log),
        },
      },
    },
    target,
  );
  return {
    error: (message, fields) => log.error(fields ?? {}, message),
    warn: (message, fields) => log.warn(fields ?? {}, message),
    info: (message, fields) => log.info(fields ?? {}, message),
  };
}

const levelColours: Record<string, string> = { error: "31", fatal: "31", warn: "33", info: "36", debug: "90", trace: "90" };

/**
 * pino's JSON line as a person reads it in a terminal:
 *   14:02:11.532 INFO  GET agents.list 200 3.4 ms  tenant=acme request=5f0c…
 *   14:02:12.007 ERROR query agents.list failed: INTERNAL_SERVER_ERROR  request=… cause="Error: …"
 *       <stack>
 * Development only: it parses every line again, which production has no reason to pay for.
 */
function readableLines(out: { write(line: string): void }, colour: boolean) {
  return {
    write(line: string) {
      const { time, level, msg, stack, ...fields } = JSON.parse(line) as LogFields & {
        time: string;
        level: string;
        msg?: string;
        stack?: string;
      };
      const label = level.toUpperCase().padEnd(5);
      let text = `${clock(time)} ${colour ? `\u001b[${levelColours[level] ?? "0"}m${label}\u001b[0m` : label} `;
      if (msg === "request" && typeof fields.status === "number") {
        const { method, procedure, path, status, durationMs, tenantId, requestId, ...rest } = fields;
        text += `${method} ${procedure ?? path} ${status} ${durationMs} ms ${pairs({ tenant: tenantId, request: requestId, ...rest })}`;
      } else {
        text += `${msg ?? ""} ${pairs(fields)}`;
      }
      out.write(`${text.trimEnd()}\n${typeof stack === "string" ? `${stack.replace(/^/gm, "    ")}\n` : ""}`);
    },
  };
}

function clock(iso: string) {
  const at = new Date(iso);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}.${String(at.getMilliseconds()).padStart(3, "0")}`;
}

function pairs(fields: LogFields) {
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === "string" && !/[\s"]/.test(value) ? value : JSON.stringify(value)}`)
    .join(" ");
}
