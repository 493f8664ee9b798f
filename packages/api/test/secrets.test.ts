import { describe, expect, it } from "vitest";

import { createKeyring, devSecretKeys, devSecretsKey, parseSecretKeys, type SecretKey, SecretsError, secretHint } from "../src/secrets";

const key = (kid: string, fill: number): SecretKey => ({ kid, key: new Uint8Array(32).fill(fill) });
const base64 = (fill: number) => btoa(String.fromCharCode(...new Uint8Array(32).fill(fill)));
const aad = "tenant-a:7b0e…:apiKey";

describe("secrets (AES-256-GCM through WebCrypto)", () => {
  it("round trips, and what it stores is not the plaintext", async () => {
    const ring = createKeyring([key("k1", 1)]);
    const plaintext = "sk-live-0123456789abcdef";
    const sealed = await ring.seal(plaintext, aad);
    expect(sealed.kid).toBe("k1");
    expect(Object.keys(sealed).sort()).toEqual(["ciphertext", "iv", "kid"]);
    const stored = JSON.stringify(sealed);
    expect(stored).not.toContain(plaintext);
    expect(stored).not.toContain("0123456789");
    expect(await ring.open(sealed, aad)).toBe(plaintext);
  });

  it("uses a fresh iv per value", async () => {
    const ring = createKeyring([key("k1", 1)]);
    const [a, b] = [await ring.seal("same", aad), await ring.seal("same", aad)];
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it("fails cleanly with a wrong key, an unknown kid, changed data or other additional data", async () => {
    const sealed = await createKeyring([key("k1", 1)]).seal("secret value", aad);
    const wrong = createKeyring([key("k1", 2)]);
    await expect(wrong.open(sealed, aad)).rejects.toThrow(SecretsError);
    await expect(wrong.open(sealed, aad)).rejects.toThrow(/does not open with key k1/);
    await expect(createKeyring([key("k2", 1)]).open(sealed, aad)).rejects.toThrow(/key k1, which this server does not hold/);
    const right = createKeyring([key("k1", 1)]);
    const flipped = atob(sealed.ciphertext);
    const tampered = btoa(String.fromCharCode(flipped.charCodeAt(0) ^ 1) + flipped.slice(1));
    await expect(right.open({ ...sealed, ciphertext: tampered }, aad)).rejects.toThrow(SecretsError);
    await expect(right.open(sealed, "tenant-b:7b0e…:apiKey")).rejects.toThrow(SecretsError);
  });

  it("rotates: new writes use the first key, values sealed with an older key still open", async () => {
    const old = createKeyring([key("2026-01", 1)]);
    const sealedBefore = await old.seal("before rotation", aad);
    const rotated = createKeyring(parseSecretKeys({ SECRETS_KEYS: `2026-12:${base64(9)},2026-01:${base64(1)}` }) ?? []);
    expect(rotated.currentKid).toBe("2026-12");
    expect(await rotated.open(sealedBefore, aad)).toBe("before rotation");
    const sealedAfter = await rotated.seal("after rotation", aad);
    expect(sealedAfter.kid).toBe("2026-12");
    await expect(old.open(sealedAfter, aad)).rejects.toThrow(SecretsError);
  });

  it("reads SECRETS_KEYS, then SECRETS_KEY, and names what is wrong without echoing a key", () => {
    expect(parseSecretKeys({})).toBeUndefined();
    expect(parseSecretKeys({ SECRETS_KEY: base64(3) })?.map((k) => k.kid)).toEqual(["default"]);
    expect(parseSecretKeys({ SECRETS_KEYS: `a:${base64(1)}`, SECRETS_KEY: base64(3) })?.map((k) => k.kid)).toEqual(["a"]);
    expect(() => parseSecretKeys({ SECRETS_KEY: btoa("short") })).toThrow(/must be 32 bytes \(AES-256\), got 5/);
    expect(() => parseSecretKeys({ SECRETS_KEYS: base64(1) })).toThrow(/must be kid:base64/);
    expect(() => parseSecretKeys({ SECRETS_KEYS: `a:${base64(1)},a:${base64(2)}` })).toThrow(/kid twice/);
    expect(() => parseSecretKeys({ SECRETS_KEYS: "a:%%%not-base64" })).toThrow(/is not base64/);
    try {
      parseSecretKeys({ SECRETS_KEYS: `a:${btoa("x".repeat(31))}` });
    } catch (error) {
      expect(String(error)).not.toContain(btoa("x".repeat(31)));
    }
  });

  it("has a 32-byte dev key", async () => {
    expect(devSecretKeys()[0]?.key.length).toBe(32);
    expect(parseSecretKeys({ SECRETS_KEY: devSecretsKey })?.[0]?.key).toEqual(devSecretKeys()[0]?.key);
    const ring = createKeyring(devSecretKeys());
    expect(await ring.open(await ring.seal("x", aad), aad)).toBe("x");
  });

  it("masks: the last four characters only of a long secret", () => {
    expect(secretHint("sk-live-0123456789abcdef")).toBe("••••cdef");
    expect(secretHint("short-pass")).toBe("••••");
  });
});
