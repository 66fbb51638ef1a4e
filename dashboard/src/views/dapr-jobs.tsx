import { useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { navigate, useData, useRoute } from '../hooks.js';
import { ErrorBox, Loading, Page, Status, Time } from '../ui.js';

export interface DaprJob {
  name: string;
  schedule: string;
  repeats: number;
  dueTime: string | null;
  ttl: string | null;
  data: unknown;
  status: string;
  failurePolicy: unknown;
  missedFirePolicy: string;
  next_run_at: string | null;
  last_run_at: string | null;
  fire_count: number;
  created_at: string;
}

const PAGE = 50;

/** Dapr-style jobs: keyset paging on the name (stays fast at a million jobs), prefix and status search. */
export function DaprJobsView() {
  const { params } = useRoute();
  const prefix = params.get('prefix') ?? '';
  const status = params.get('status') ?? '';
  const cursor = params.get('cursor') ?? '';
  const { data, error } = useData(
    () => api.get<{ jobs: DaprJob[]; next_cursor: string | null }>(`/v1.0/jobs${query({ prefix, status, cursor, limit: PAGE })}`),
    [prefix, status, cursor],
    (e) => e.type === 'job.created' || e.type === 'schedule.changed' || e.type === 'job.fired',
  );
  const [draft, setDraft] = useState(prefix);
  const go = (next: Record<string, string>) => navigate(`/jobs${query({ prefix, status, ...next })}`);
  return (
    <Page title="Jobs (Dapr)">
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          go({ prefix: draft, cursor: '' });
        }}
      >
        <label>
          Name starts with <input name="prefix" value={draft} onInput={(e) => setDraft(e.currentTarget.value)} />
        </label>
        <label>
          Status{' '}
          <select value={status} onChange={(e) => go({ status: e.currentTarget.value, cursor: '' })}>
            <option value="">any</option>
            {['scheduled', 'paused', 'completed', 'expired', 'failed'].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <button type="submit">Search</button>
      </form>
      <ErrorBox error={error} />
      {!data ? (
        <Loading />
      ) : (
        <>
          <div class="scroll">
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Status</th>
                  <th>Schedule</th>
                  <th>Next run</th>
                  <th>Last run</th>
                  <th class="num">Fired</th>
                </tr>
              </thead>
              <tbody>
                {data.jobs.map((job) => (
                  <tr key={job.name}>
                    <td>
                      <a href={`#/jobs/${encodeURIComponent(job.name)}`}>{job.name}</a>
                    </td>
                    <td>
                      <Status value={job.status} />
                    </td>
                    <td>{job.schedule || (job.dueTime ? `once at ${job.dueTime}` : '')}</td>
                    <td>
                      <Time value={job.next_run_at} />
                    </td>
                    <td>
                      <Time value={job.last_run_at} />
                    </td>
                    <td class="num">{job.fire_count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {data.jobs.length === 0 ? <p class="muted">No jobs match.</p> : null}
          <nav class="pager" aria-label="Pages">
            {cursor ? <a href={`#/jobs${query({ prefix, status })}`}>First page</a> : null}
            {data.next_cursor ? <a href={`#/jobs${query({ prefix, status, cursor: data.next_cursor })}`}>Next page</a> : null}
          </nav>
        </>
      )}
    </Page>
  );
}
