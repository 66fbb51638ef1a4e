import { useState } from 'preact/hooks';
import { signIn, type Session } from '../api.js';
import { ErrorBox } from '../ui.js';

/** Shown without a session: open the login link `chime serve` printed, or paste a token. */
export function LoginView({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <main class="login" id="main">
      <h1>Chime</h1>
      <p>
        Open the one-time login link <code>chime serve</code> printed (or <code>chime token --login-link</code>), or paste an API token
        (<code>chime token --scope read</code>).
      </p>
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          try {
            onSignedIn(await signIn(token.trim()));
          } catch (err) {
            setError(err instanceof Error ? err.message : String(err));
          }
        }}
      >
        <label>
          Token
          <textarea rows={4} value={token} onInput={(e) => setToken(e.currentTarget.value)} required />
        </label>
        <ErrorBox error={error} />
        <button type="submit" class="primary">
          Sign in
        </button>
      </form>
    </main>
  );
}
