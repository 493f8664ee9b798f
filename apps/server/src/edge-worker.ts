/**
 * The edge function as a service worker, the form Vercel's edge-runtime emulator runs
 * (`addEventListener("fetch")`): tests and the size check bundle this. Vercel itself deploys
 * api/trpc/[trpc].ts; both call `handleEdgeRequest`.
 */
import { edgeEnv, handleEdgeRequest } from "./edge";

interface FetchEvent extends Event {
  request: Request;
  respondWith(response: Promise<Response>): void;
  waitUntil(promise: Promise<unknown>): void;
}

declare function addEventListener(type: "fetch", listener: (event: FetchEvent) => void): void;

addEventListener("fetch", (event) => {
  event.respondWith(handleEdgeRequest(event.request, edgeEnv(), (promise) => event.waitUntil(promise)));
});
