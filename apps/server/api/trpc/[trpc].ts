/**
 * Vercel edge function: the API at /api/trpc/<procedure>. Same handler as the Node server
 * (src/edge.ts builds it per request); deployment is in docs/deploy.md.
 */
import { handleEdgeRequest } from "../../src/edge";

export const config = { runtime: "edge" };

export default function handler(request: Request, context: { waitUntil(promise: Promise<unknown>): void }) {
  return handleEdgeRequest(request, process.env, (promise) => context.waitUntil(promise));
}
