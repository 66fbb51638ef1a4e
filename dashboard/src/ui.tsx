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

export interface Column<T> {
  label: string;
  cell: (row: T) => ComponentChildren;
  /** Right-aligned, tabular figures. */
  num?: boolean;
  /** Long text that may wrap. */
  wrap?: boolean;
  class?: string;
  testId?: string;
}

/** A table in its own horizontally scrolling box (pages never scroll sideways on a phone). */
export function Table<T>({
  rows,
  columns,
  rowKey,
  rowProps,
  class: className,
}: {
  rows: readonly T[];
  columns: readonly (Column<T> | false)[];
  rowKey: (row: T) => string | number;
  /** Extra attributes of a row, e.g. `data-queue` for tests and styles. */
  rowProps?: (row: T) => Record<string, string>;
  class?: string;
}) {
  const shown = columns.filter((c): c is Column<T> => c !== false);
  const cellClass = (c: Column<T>) => [c.num ? 'num' : '', c.wrap ? 'wrap' : '', c.class ?? ''].join(' ').trim() || undefined;
  return (
    <div class="scroll">
      <table class={className}>
        <thead>
          <tr>
            {shown.map((c) => (
              <th key={c.label} class={c.num ? 'num' : undefined}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} {...(rowProps?.(row) ?? {})}>
              {shown.map((c) => (
                <td key={c.label} class={cellClass(c)} data-testid={c.testId}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The registered tasks to choose from, for forms that create jobs or schedules. */
export function TaskSelect({ tasks, value, onChange }: { tasks: { name: string; version: string; queue: string }[] | undefined; value: string; onChange: (e: Event) => void }) {
  return (
    <label>
      Task
      <select required value={value} onChange={onChange}>
        <option value="">choose a registered task</option>
        {(tasks ?? []).map((t) => (
          <option key={`${t.name}@${t.version}`} value={t.name}>
            {t.name} (v{t.version}, queue {t.queue})
          </option>
        ))}
      </select>
    </label>
  );
}
