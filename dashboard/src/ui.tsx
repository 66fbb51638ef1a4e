/** Small shared pieces: status badges, times, JSON, errors, an action button that reports. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

export function Status({ value }: { value: string }) {
  return <span class={`badge badge-${value}`}>{value}</span>;
}

export function Time({ value }: { value: string | null | undefined }) {
  if (!value) return <span class="muted">—</span>;
  const date = new Date(value);
  return (
    <time dateTime={value} title={value}>
      {date.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' })}.{String(date.getMilliseconds()).padStart(3, '0')}
    </time>
  );
}

export function Json({ value }: { value: unknown }) {
  return <pre class="json">{JSON.stringify(value, null, 2)}</pre>;
}

export function ErrorBox({ error }: { error: string | null }) {
  return error ? (
    <p class="error" role="alert">
      {error}
    </p>
  ) : null;
}

export function Loading() {
  return <p class="muted">Loading…</p>;
}

export function Page({ title, actions, children }: { title: ComponentChildren; actions?: ComponentChildren; children: ComponentChildren }) {
  return (
    <section>
      <header class="page-head">
        <h1>{title}</h1>
        {actions ? <div class="actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}

/**
 * A button that runs an API action, asks first when `confirm` is set, shows the error if it
 * fails and calls `done` when it succeeds.
 */
export function Action({
  label,
  run,
  done,
  confirm,
  kind,
}: {
  label: string;
  run: () => Promise<unknown>;
  done?: () => void;
  confirm?: string;
  kind?: 'danger' | 'primary';
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const onClick = async () => {
    if (confirm && !window.confirm(confirm)) return;
    setBusy(true);
    setError(null);
    try {
      await run();
      done?.();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="action">
      <button type="button" class={kind ?? ''} disabled={busy} onClick={onClick}>
        {label}
      </button>
      {error ? (
        <span class="error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  );
}

/** Milliseconds: whole ones as they are, fractions (percentiles) to one decimal below 10. */
export const ms = (value: number | null | undefined): string =>
  value === null || value === undefined ? '—' : `${Number.isInteger(value) ? value : value.toFixed(value < 10 ? 1 : 0)} ms`;
