import { useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { navigate, useData, useRoute } from '../hooks.js';
import { Action, ErrorBox, Json, Loading, Page, Status, Time, ms } from '../ui.js';

interface DeadLetter {
  id: string;
  job_name: string;
  status: string;
  scheduled_time: string;
  attempts: number;
  data: unknown;
  error: { message: string; type: string } | null;
  failed_at: string | null;
}

interface Attempt {
  id: number;
  actual_time: string;
  scheduled_time: string;
  attempt: number;
  outcome: string;
  http_status: number | null;
  duration_ms: number | null;
  error: string | null;
}

const relevant = (e: { type: string }) => e.type === 'job.dead_lettered' || e.type === 'job.requeued';

export function DeadLettersView({ canWrite }: { canWrite: boolean }) {
  const { params } = useRoute();
  const jobName = params.get('job_name') ?? '';
  const [draft, setDraft] = useState(jobName);
  const { data, error, reload } = useData(
    () => api.get<{ items: DeadLetter[]; total: number }>(`/api/v1/dead-letters${query({ job_name: jobName, limit: 100 })}`),
    [jobName],
    relevant,
  );
  const [retried, setRetried] = useState<number | null>(null);
  return (
    <Page
      title="Dead letters"
      actions={
        canWrite && data && data.total > 0 ? (
          <Action
            label={jobName ? `Retry all of ${jobName}` : 'Retry all'}
            confirm={`Deliver ${data.total} dead letters again?`}
            run={async () => setRetried((await api.post<{ retried: number }>('/api/v1/dead-letters/retry', jobName ? { job_name: jobName } : null)).retried)}
            done={reload}
          />
        ) : null
      }
    >
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(`/dead-letters${query({ job_name: draft })}`);
        }}
      >
        <label>
          Job name <input value={draft} onInput={(e) => setDraft(e.currentTarget.value)} />
        </label>
        <button type="submit">Filter</button>
      </form>
      {retried !== null ? <p role="status">{retried} sent again.</p> : null}
      <ErrorBox error={error} />
      {!data ? (
        <Loading />
      ) : data.items.length === 0 ? (
        <p class="muted">No dead letters.</p>
      ) : (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th>Job</th>
                <th>Scheduled</th>
                <th>Failed</th>
                <th class="num">Attempts</th>
                <th>Last error</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((d) => (
                <tr key={d.id} data-dead-letter={d.job_name}>
                  <td>
                    <a href={`#/jobs/${encodeURIComponent(d.job_name)}`}>{d.job_name}</a>
                  </td>
                  <td>
                    <Time value={d.scheduled_time} />
                  </td>
                  <td>
                    <Time value={d.failed_at} />
                  </td>
                  <td class="num">{d.attempts}</td>
                  <td class="wrap">{d.error?.message ?? ''}</td>
                  <td class="row-actions">
                    <a class="button" href={`#/dead-letters/${d.id}`}>
                      Inspect
                    </a>
                    {canWrite ? (
                      <>
                        <Action label="Retry" run={() => api.post(`/api/v1/dead-letters/${d.id}/retry`)} done={reload} />
                        <Action label="Delete" kind="danger" confirm={`Delete this dead letter of ${d.job_name}?`} run={() => api.del(`/api/v1/dead-letters/${d.id}`)} done={reload} />
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}

export function DeadLetterPage({ id, canWrite }: { id: string; canWrite: boolean }) {
  const { data, error } = useData(() => api.get<DeadLetter & { attempts: Attempt[] }>(`/api/v1/dead-letters/${encodeURIComponent(id)}`), [id]);
  if (!data) return error ? <ErrorBox error={error} /> : <Loading />;
  return (
    <Page
      title={<>Dead letter of {data.job_name}</>}
      actions={
        canWrite ? (
          <>
            <Action label="Retry" run={() => api.post(`/api/v1/dead-letters/${id}/retry`)} done={() => navigate('/dead-letters')} />
            <Action label="Delete" kind="danger" confirm="Delete this dead letter?" run={() => api.del(`/api/v1/dead-letters/${id}`)} done={() => navigate('/dead-letters')} />
          </>
        ) : null
      }
    >
      <dl class="facts">
        <dt>Scheduled</dt>
        <dd>
          <Time value={data.scheduled_time} />
        </dd>
        <dt>Data</dt>
        <dd>
          <Json value={data.data} />
        </dd>
      </dl>
      <h2>Failed attempts</h2>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th class="num">Attempt</th>
              <th>At</th>
              <th>Outcome</th>
              <th class="num">HTTP</th>
              <th class="num">Duration</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {data.attempts.map((a) => (
              <tr key={a.id}>
                <td class="num">{a.attempt}</td>
                <td>
                  <Time value={a.actual_time} />
                </td>
                <td>
                  <Status value={a.outcome} />
                </td>
                <td class="num">{a.http_status ?? '—'}</td>
                <td class="num">{ms(a.duration_ms)}</td>
                <td class="wrap">{a.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Page>
  );
}
