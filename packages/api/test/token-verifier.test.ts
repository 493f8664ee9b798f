import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTokenVerifier, InvalidTokenError, mintToken, type TokenVerifier } from "../src/auth";

/** Production verification: keys fetched from the identity provider's JWKS endpoint. */
describe("JWKS token verification", () => {
  let server: Server;
  let verify: TokenVerifier;
  let privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
  const claims = { sub: crypto.randomUUID(), tid: "jwks-tenant", role: "service" };

  beforeAll(async () => {
    const pair = await generateKeyPair("RS256");
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: "key-1", alg: "RS256", use: "sig" };
    server = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    verify = createTokenVerifier({ jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`, issuer: "https://idp.test", audience: "agent-builder" });
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const sign = (payload: Record<string, unknown>, issuer = "https://idp.test") =>
    new SignJWT(payload)
      .setProtectedHeader({ alg: "RS256", kid: "key-1" })
      .setIssuer(issuer)
      .setAudience("agent-builder")
      .setExpirationTime("5m")
      .sign(privateKey);

  it("accepts a token signed by the provider's key", async () => {
    await expect(verify(await sign(claims))).resolves.toEqual({ userId: claims.sub, tenantId: "jwks-tenant", role: "service" });
  });

  it("rejects a wrong issuer, and an HS256 token made with any secret", async () => {
    await expect(verify(await sign(claims, "https://evil.test"))).rejects.toThrow(/"iss"/);
    const hs = await mintToken("a-secret-that-is-long-enough-for-hs256-tokens", { ...claims, role: "service" }, { issuer: "https://idp.test", audience: "agent-builder" });
    await expect(verify(hs)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it("refuses to start with a short HS256 secret", () => {
    expect(() => createTokenVerifier({ secret: "short" })).toThrow(/at least 32/);
  });
});
