import { z } from "zod";

import { limits } from "./domain";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * A JSON value with a size and depth cap, checked iteratively.
 * Written by hand rather than with `z.json()` because zod's recursive schema walks the value
 * with the call stack, so a deeply nested payload would overflow it before any limit applies.
 */
export function boundedJson(options: { maxBytes?: number; maxDepth?: number } = {}) {
  const maxBytes = options.maxBytes ?? limits.jsonBytesMax;
  const maxDepth = options.maxDepth ?? limits.jsonDepthMax;
  return z.unknown().superRefine((value, ctx) => {
    const problem = checkJson(value, maxDepth);
    if (problem) {
      ctx.addIssue({ code: "custom", message: problem });
      return;
    }
    const bytes = new TextEncoder().encode(JSON.stringify(value)).length;
    if (bytes > maxBytes) {
      ctx.addIssue({ code: "custom", message: `JSON is ${bytes} bytes; the limit is ${maxBytes}` });
    }
  }) as unknown as z.ZodType<JsonValue, JsonValue>;
}

/** Returns why `value` is not plain, bounded JSON, or null when it is. */
function checkJson(value: unknown, maxDepth: number): string | null {
  if (value === undefined) return "a JSON value is required";
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value: current, depth } = next;
    if (current === null || typeof current === "boolean") continue;
    if (typeof current === "string") {
      // Postgres jsonb cannot store NUL; reject it here with a clear message instead of a 22P05.
      if (current.includes("\u0000")) return "strings must not contain the NUL character (\\u0000)";
      if (!current.isWellFormed()) return "strings must be well-formed unicode (no lone surrogates)";
      continue;
    }
    if (typeof current === "number") {
      if (!Number.isFinite(current)) return "numbers must be finite";
      continue;
    }
    if (depth >= maxDepth) return `JSON nesting is deeper than ${maxDepth} levels`;
    if (Array.isArray(current)) {
      for (const item of current) stack.push({ value: item, depth: depth + 1 });
      continue;
    }
    if (typeof current === "object" && Object.getPrototypeOf(current) === Object.prototype) {
      for (const [key, item] of Object.entries(current)) {
        if (key.includes("\u0000") || !key.isWellFormed()) return "object keys must be well-formed text without NUL";
        stack.push({ value: item, depth: depth + 1 });
      }
      continue;
    }
    return `unsupported JSON value of type ${typeof current}`;
  }
  return null;
}

export const jsonObjectSchema = (maxBytes: number) =>
  boundedJson({ maxBytes }).refine((v) => typeof v === "object" && v !== null && !Array.isArray(v), {
    message: "must be a JSON object",
  }) as unknown as z.ZodType<Record<string, JsonValue>, Record<string, JsonValue>>;
