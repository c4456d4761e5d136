import { useState } from "react";
import type { Session } from "../auth";
import { ErrorMessage } from "../ui";

/**
 * Sign-in. On AWS, a button to Cognito managed login (code + PKCE). Locally, the emulated pool's
 * own API with email and password (moto serves no managed login page).
 */
export function SignIn({ session, reason }: { session: Session; reason?: string }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  return (
    <main id="main" className="signin">
      <h1>FinOps console</h1>
      {reason === "expired" && (
        <p className="notice" role="status">
          Your session has expired. Sign in again.
        </p>
      )}
      {reason === "signed-out" && (
        <p className="notice" role="status">
          You are signed out.
        </p>
      )}
      {session.mode === "hosted" ? (
        <button type="button" onClick={() => void session.beginHostedSignIn()}>
          Sign in
        </button>
      ) : (
        <form
          aria-labelledby="signin-title"
          onSubmit={(e) => {
            e.preventDefault();
            setBusy(true);
            setError("");
            session
              .signInWithPassword(email.trim(), password)
              .catch((err: Error) => setError(`Sign-in failed: ${err.message}`))
              .finally(() => setBusy(false));
          }}
        >
          <h2 id="signin-title">Sign in (local organization)</h2>
          <label htmlFor="email">Email</label>
          <input
            id="email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <label htmlFor="password">Password</label>
          <input
            id="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          {error && <ErrorMessage>{error}</ErrorMessage>}
          <button type="submit" disabled={busy}>
            Sign in
          </button>
        </form>
      )}
    </main>
  );
}
