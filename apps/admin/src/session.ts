/**
 * The signed-in staff member's bearer token, kept in sessionStorage: it lives as long as the
 * tab, is not shared with other tabs and is gone when the browser closes, which suits a token
 * that grants cross-tenant access.
 */
import { useSyncExternalStore } from "react";

const storageKey = "agent-builder.admin.token";
const listeners = new Set<() => void>();

export function readToken(): string | null {
  return sessionStorage.getItem(storageKey);
}

export function signIn(token: string) {
  sessionStorage.setItem(storageKey, token);
  listeners.forEach((notify) => notify());
}

export function signOut() {
  sessionStorage.removeItem(storageKey);
  listeners.forEach((notify) => notify());
}

function subscribe(notify: () => void) {
  listeners.add(notify);
  return () => listeners.delete(notify);
}

export function useToken(): string | null {
  return useSyncExternalStore(subscribe, readToken);
}

export interface TokenClaims {
  sub?: string;
  tid?: string;
  role?: string;
  exp?: number;
}

/**
 * The token's claims, read without verifying the signature: only to show who is signed in.
 * The API verifies every request; nothing here grants or checks access.
 */
export function readClaims(token: string): TokenClaims | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const json = atob(
      payload
        .replace(/-/g, "+")
        .replace(/_/g, "/")
        .padEnd(Math.ceil(payload.length / 4) * 4, "="),
    );
    const claims: unknown = JSON.parse(json);
    return claims && typeof claims === "object" ? (claims as TokenClaims) : null;
  } catch {
    return null;
  }
}
