/**
 * Staff paste a bearer token (or open a `?token=` link). The token is checked with one admin
 * read before it is kept, so a member or service token is turned away here with the API's own
 * answer (FORBIDDEN) instead of failing on every page afterwards.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useLocation, useNavigate } from "react-router";

import { apiErrorCode, createApiClient } from "../api";
import { readClaims, signIn } from "../session";

interface SignInState {
  from?: string;
  error?: string;
}

export function SignInPage(props: { linkToken?: string }) {
  const navigate = useNavigate();
  const location = useLocation();
  const linkToken = props.linkToken ?? new URLSearchParams(location.search).get("token") ?? undefined;
  const queryClient = useQueryClient();
  const state = (location.state ?? {}) as SignInState;
  const [token, setToken] = useState("");

  const check = useMutation({
    mutationFn: async (candidate: string) => {
      // The cheapest admin.* read: it answers FORBIDDEN for a non-admin token, UNAUTHORIZED for a bad one.
      await createApiClient(() => candidate).admin.auditLog.query({ limit: 1 });
      return candidate;
    },
    onSuccess: (candidate) => {
      queryClient.clear();
      signIn(candidate);
      if (linkToken) {
        // Drop the token from the address bar and the history, keep the page it pointed at.
        const params = new URLSearchParams(location.search);
        params.delete("token");
        const rest = params.toString();
        navigate(`${location.pathname === "/sign-in" ? "/" : location.pathname}${rest ? `?${rest}` : ""}`, { replace: true });
      } else {
        navigate(state.from ?? "/", { replace: true });
      }
    },
    onError: (error, candidate) => {
      if (linkToken) navigate("/sign-in", { replace: true, state: { error: describeRefusal(error, candidate) } satisfies SignInState });
    },
  });

  const { mutate } = check;
  const started = useRef(false);
  useEffect(() => {
    // Once, even under StrictMode's double effects in development.
    if (linkToken && !started.current) {
      started.current = true;
      mutate(linkToken);
    }
  }, [linkToken, mutate]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const candidate = token.trim().replace(/^Bearer\s+/i, "");
    if (candidate && !check.isPending) check.mutate(candidate);
  };

  const error = check.isError ? describeRefusal(check.error, check.variables) : (state.error ?? null);

  return (
    <div className="sign-in">
      <form className="card sign-in-card" onSubmit={submit}>
        <h1>
          Agent Builder <span>Admin</span>
        </h1>
        <p className="muted">
          Staff only. Paste an admin bearer token (role <code>admin</code>) from the identity provider; locally, <code>pnpm dev</code>{" "}
          prints one.
        </p>
        {linkToken && check.isPending ? (
          <p role="status">Signing in with the token from the link…</p>
        ) : (
          <>
            <label htmlFor="token">Bearer token</label>
            <textarea
              id="token"
              name="token"
              rows={5}
              spellCheck={false}
              autoComplete="off"
              placeholder="eyJhbGciOi…"
              value={token}
              onChange={(event) => setToken(event.target.value)}
              // Enter signs in, as in any one-field form (a token has no line breaks); Shift+Enter still adds one.
              onKeyDown={(event) => {
                if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
                  event.preventDefault();
                  event.currentTarget.form?.requestSubmit();
                }
              }}
            />
            <button type="submit" disabled={check.isPending || token.trim() === ""}>
              {check.isPending ? "Checking…" : "Sign in"}
            </button>
          </>
        )}
        {error && (
          <div className="state state-error" role="alert">
            {error}
          </div>
        )}
      </form>
    </div>
  );
}

function describeRefusal(error: unknown, candidate: string | undefined): string {
  const code = apiErrorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === "FORBIDDEN") {
    const role = candidate ? readClaims(candidate)?.role : undefined;
    return `Admin token required: the API refused this token${role ? ` (role: ${role})` : ""}. Sign in with a token whose role is admin.`;
  }
  if (code === "UNAUTHORIZED") return `The API rejected this token: ${message}.`;
  return `Could not reach the API (${code ?? message}).`;
}
