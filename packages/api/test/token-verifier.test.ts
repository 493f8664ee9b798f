import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

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
    verify = createTokenVerifier({
      jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      issuer: "https://idp.test",
      audience: "agent-builder",
    });
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
    const hs = await mintToken(
      "a-secret-that-is-long-enough-for-hs256-tokens",
      { ...claims, role: "service" },
      { issuer: "https://idp.test", audience: "agent-builder" },
    );
    await expect(verify(hs)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it("refuses to start with a short HS256 secret", () => {
    expect(() => createTokenVerifier({ secret: "short" })).toThrow(/at least 32/);
  });
});

/** Verified tokens are remembered briefly (the hot path skips the signature check); never past `exp`. */
describe("remembered verdicts", () => {
  const secret = "remembered-verdicts-secret-long-enough!!";
  const claims = { sub: crypto.randomUUID(), tid: "cache-tenant", role: "member" } as const;
  afterEach(() => vi.useRealTimers());

  it("refuses a remembered token once it expires", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const verify = createTokenVerifier({ secret, verifiedCacheMs: 60_000 });
    const token = await mintToken(secret, claims, { expiresIn: "10s" });
    await expect(verify(token)).resolves.toMatchObject({ tenantId: "cache-tenant" });
    vi.setSystemTime(Date.now() + 5_000);
    await expect(verify(token)).resolves.toMatchObject({ tenantId: "cache-tenant" });
    vi.setSystemTime(Date.now() + 6_000); // 11 s after minting: past exp, inside the 60 s cache window
    await expect(verify(token)).rejects.toThrow(/token expired/);
  });

  it("verifies afresh a token whose signature or claims were changed", async () => {
    const verify = createTokenVerifier({ secret });
    const token = await mintToken(secret, claims);
    await verify(token);
    const [header, payload, signature] = token.split(".");
    const flipped = signature!.slice(0, -2) + (signature!.endsWith("AA") ? "BA" : "AA");
    await expect(verify(`${header}.${payload}.${flipped}`)).rejects.toThrow(/signature is invalid|malformed/);
    const otherTenant = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, "base64url").toString()), tid: "other" }),
    ).toString("base64url");
    await expect(verify(`${header}.${otherTenant}.${signature}`)).rejects.toThrow(/signature is invalid/);
    await expect(verify(token)).resolves.toMatchObject({ tenantId: "cache-tenant" });
  });

  it("checks the signature once per token and cache window", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const signatureChecks = vi.spyOn(crypto.subtle, "verify"); // observes jose's calls; they still run
    const verify = createTokenVerifier({ secret, verifiedCacheMs: 1_000 });
    const token = await mintToken(secret, claims, { expiresIn: "1h" });
    await verify(token);
    await verify(token);
    expect(signatureChecks).toHaveBeenCalledTimes(1);
    vi.setSystemTime(Date.now() + 2_000); // past the 1 s window: verified again
    await expect(verify(token)).resolves.toMatchObject({ userId: claims.sub });
    expect(signatureChecks).toHaveBeenCalledTimes(2);
    const uncached = createTokenVerifier({ secret, verifiedCacheMs: 0 });
    await uncached(token);
    await uncached(token);
    expect(signatureChecks).toHaveBeenCalledTimes(4);
    signatureChecks.mockRestore();
  });
});
