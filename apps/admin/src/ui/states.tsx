/** The three states every data view has besides "loaded": loading, empty and failed. */
import type { ReactNode } from "react";
import { useNavigate } from "react-router";

import { apiErrorCode } from "../api";
import { signOut } from "../session";

export function Loading({ what }: { what: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      Loading {what}…
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state state-empty">{children}</div>;
}

/**
 * A failed request, explained for staff: a wrong role or an expired token says what to do
 * about it (these need a new token, not a retry); anything else offers a retry.
 */
export function ErrorState({ error, what, retry }: { error: unknown; what: string; retry?: () => void }) {
  const navigate = useNavigate();
  const code = apiErrorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const signInAgain = () => {
    signOut();
    navigate("/sign-in");
  };

  if (code === "FORBIDDEN") {
    return (
      <div className="state state-error" role="alert">
        <strong>Admin token required.</strong>
        <p>
          The API refused this token for {what}: admin pages need a token with role <code>admin</code>. Sign in with a staff token.
        </p>
        <button type="button" onClick={signInAgain}>
          Sign in with another token
        </button>
      </div>
    );
  }
  if (code === "UNAUTHORIZED") {
    return (
      <div className="state state-error" role="alert">
        <strong>Your token was rejected.</strong>
        <p>It is invalid or has expired ({message}).</p>
        <button type="button" onClick={signInAgain}>
          Sign in again
        </button>
      </div>
    );
  }
  if (code === "NOT_FOUND") {
    return (
      <div className="state state-error" role="alert">
        <strong>Not found.</strong>
        <p>{message}</p>
      </div>
    );
  }
  return (
    <div className="state state-error" role="alert">
      <strong>Could not load {what}.</strong>
      <p>{code ? `${code}: ${message}` : `The API did not answer (${message}).`}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Retry
        </button>
      )}
    </div>
  );
}
