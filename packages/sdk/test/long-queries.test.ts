/**
 * Queries are GETs with the input in the URL, and Node refuses a request whose URL and headers
 * pass 16 kB (431). The SDK keeps each GET URL under 8,000 characters: a batch of queries is
 * split, and a query too long on its own goes as POST (the API allows that method override).
 * Against the real Node server in its own process.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The built package, exactly as a sibling app imports it.
import { type AgentBuilderClient, createAgentBuilderClient, isApiError } from "@agent-builder/sdk";

import { type RunningApi, startApiServer } from "../../../test/support/api-server";

interface Sent {
  method: string;
  urlLength: number;
}

describe("long queries through the SDK", () => {
  let api: RunningApi;
  let client: AgentBuilderClient;
  const sent: Sent[] = [];

  beforeAll(async () => {
    api = await startApiServer("pglite");
    const memberId = crypto.randomUUID();
    client = createAgentBuilderClient({
      url: api.url,
      getToken: () => api.token({ sub: memberId, tid: "long-queries", role: "member" }),
      retry: { retries: 0 },
      // Watches what goes on the wire; the request itself is the real fetch.
      fetch: (input, init) => {
        const url = input instanceof Request ? input.url : String(input);
        sent.push({ method: init?.method ?? (input instanceof Request ? input.method : "GET"), urlLength: url.length });
        return fetch(input, init);
      },
    });
  });
  afterAll(() => api?.close());

  // 255 "€" is the longest search the contract allows: 2,295 URL characters once encoded.
  const longestSearch = "€".repeat(255);

  it("sends a short query as GET", async () => {
    sent.length = 0;
    await client.agents.list.query({ limit: 1 });
    expect(sent).toEqual([{ method: "GET", urlLength: expect.any(Number) }]);
  });

  it("answers a batch of queries whose one URL would pass 60 kB, split into GETs under 8,000 characters", async () => {
    const queries = 30;
    const oneUrl = `${api.url}/${Array(queries).fill("agents.list").join(",")}?batch=1&input=${encodeURIComponent(
      JSON.stringify(Object.fromEntries(Array.from({ length: queries }, (_, i) => [i, { search: longestSearch }]))),
    )}`;
    expect(oneUrl.length).toBeGreaterThan(60_000);

    sent.length = 0;
    const pages = await Promise.all(Array.from({ length: queries }, () => client.agents.list.query({ search: longestSearch })));
    expect(pages).toHaveLength(queries);
    for (const page of pages) expect(page).toEqual({ items: [], nextCursor: null });
    expect(sent.length).toBeGreaterThan(1);
    expect(sent.every((s) => s.method === "GET" && s.urlLength <= 8_000)).toBe(true);
  });

  it("sends a query too long for any URL as POST, and the API reads its input from the body", async () => {
    sent.length = 0;
    // 180 kB once in a URL. No contract takes that much in a query, so the API's answer is a
    // validation error on the field: proof that the input arrived and was parsed, where a GET
    // would have got the server's 431 before reaching the API.
    const answer = await client.agents.list.query({ search: "€".repeat(20_000) }).catch((error: unknown) => error);
    expect(sent).toEqual([{ method: "POST", urlLength: expect.any(Number) }]);
    expect(sent[0]!.urlLength).toBeLessThan(200);
    expect(isApiError(answer, "BAD_REQUEST")).toBe(true);
    expect(isApiError(answer) && answer.data?.zodError?.fieldErrors.search).toEqual([expect.stringMatching(/255/)]);
  });
});
