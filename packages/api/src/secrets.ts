/**
 * Secrets at rest: AES-256-GCM through WebCrypto (`crypto.subtle`), so the same code runs on Node
 * and on the edge. A keyring holds one or more 32-byte keys, each with an id (`kid`): the first
 * seals new values, every one opens old ones. Rotation is adding a key in front
 * (`SECRETS_KEYS=new:…,old:…`): old values stay readable, new writes use the new key.
 *
 * A sealed value is `{ kid, iv, ciphertext }` (base64; the ciphertext carries GCM's tag). The
 * additional data binds it to where it is stored (tenant, row, name), so a ciphertext copied to
 * another row or tenant does not open.
 */

/** One key of the keyring: its id and its 32 raw bytes. */
export interface SecretKey {
  kid: string;
  key: Uint8Array;
}

/** What is stored: never the plaintext. */
export interface SealedSecret {
  kid: string;
  iv: string;
  ciphertext: string;
}

export interface Keyring {
  /** The kid new values are sealed with. */
  readonly currentKid: string;
  seal(plaintext: string, additionalData: string): Promise<SealedSecret>;
  /** Throws `SecretsError` for an unknown kid, a wrong key or data that was changed. */
  open(sealed: SealedSecret, additionalData: string): Promise<string>;
}

/** A sealed value that cannot be opened, or a keyring that cannot be built. Never carries key material. */
export class SecretsError extends Error {
  override name = "SecretsError";
}

/**
 * For `pnpm dev` and tests only: public, so production refuses it (apps/server/src/config.ts).
 * 32 bytes, base64.
 */
export const devSecretsKey = "ZGV2LXNlY3JldHMta2V5LWRvLW5vdC11c2UtaW4tcHI=";
export const devSecretsKid = "dev";

const kidPattern = /^[A-Za-z0-9_.-]{1,32}$/;

/**
 * Reads `SECRETS_KEYS` (`kid:base64,kid:base64`, the first used for new writes) or, without it,
 * `SECRETS_KEY` (one base64 key, kid `default`). Undefined when neither is set. Throws
 * `SecretsError` naming the problem (never the key) for a malformed entry.
 */
export function parseSecretKeys(env: { SECRETS_KEYS?: string; SECRETS_KEY?: string }): SecretKey[] | undefined {
  const ring = env.SECRETS_KEYS?.trim();
  if (ring) {
    const keys = ring.split(",").map((entry, index) => {
      const at = entry.indexOf(":");
      if (at < 0) throw new SecretsError(`SECRETS_KEYS entry ${index + 1} must be kid:base64`);
      const kid = entry.slice(0, at).trim();
      if (!kidPattern.test(kid)) throw new SecretsError(`SECRETS_KEYS entry ${index + 1}: a kid is 1-32 letters, digits, _ . or -`);
      return { kid, key: decodeKey(entry.slice(at + 1).trim(), `SECRETS_KEYS entry ${index + 1} (${kid})`) };
    });
    const kids = keys.map((k) => k.kid);
    if (new Set(kids).size !== kids.length) throw new SecretsError("SECRETS_KEYS names a kid twice");
    return keys;
  }
  const single = env.SECRETS_KEY?.trim();
  if (single) return [{ kid: "default", key: decodeKey(single, "SECRETS_KEY") }];
  return undefined;
}

function decodeKey(base64: string, what: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(base64);
  } catch {
    throw new SecretsError(`${what} is not base64`);
  }
  if (bytes.length !== 32) throw new SecretsError(`${what} must be 32 bytes (AES-256), got ${bytes.length}`);
  return bytes;
}

/** The keyring for the dev default key. */
export function devSecretKeys(): SecretKey[] {
  return [{ kid: devSecretsKid, key: fromBase64(devSecretsKey) }];
}

export function createKeyring(keys: readonly SecretKey[]): Keyring {
  const [current] = keys;
  if (!current) throw new SecretsError("a keyring needs at least one key");
  const imported = new Map<string, ReturnType<typeof crypto.subtle.importKey>>();
  const cryptoKey = (kid: string): ReturnType<typeof crypto.subtle.importKey> | undefined => {
    const raw = keys.find((k) => k.kid === kid);
    if (!raw) return undefined;
    let key = imported.get(kid);
    if (!key) {
      key = crypto.subtle.importKey("raw", toArrayBuffer(raw.key), { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
      imported.set(kid, key);
    }
    return key;
  };
  const encoder = new TextEncoder();

  return {
    currentKid: current.kid,
    async seal(plaintext, additionalData) {
      const key = await cryptoKey(current.kid);
      if (!key) throw new SecretsError(`no key ${current.kid}`);
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const ciphertext = await crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: encoder.encode(additionalData) },
        key,
        encoder.encode(plaintext),
      );
      return { kid: current.kid, iv: toBase64(iv), ciphertext: toBase64(new Uint8Array(ciphertext)) };
    },
    async open(sealed, additionalData) {
      const key = cryptoKey(sealed.kid);
      if (!key) throw new SecretsError(`the secret was sealed with key ${sealed.kid}, which this server does not hold`);
      try {
        const plaintext = await crypto.subtle.decrypt(
          { name: "AES-GCM", iv: toArrayBuffer(fromBase64(sealed.iv)), additionalData: encoder.encode(additionalData) },
          await key,
          toArrayBuffer(fromBase64(sealed.ciphertext)),
        );
        return new TextDecoder().decode(plaintext);
      } catch {
        throw new SecretsError(`the secret does not open with key ${sealed.kid}: a wrong key, or the stored value was changed`);
      }
    },
  };
}

/** What reads show instead of a secret: its last four characters when it is long enough to spare them. */
export function secretHint(plaintext: string): string {
  return plaintext.length >= 12 ? `••••${plaintext.slice(-4)}` : "••••";
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer as ArrayBuffer;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
