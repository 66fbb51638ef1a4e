import { api } from '../api.js';
import { navigate, useData, useForm } from '../hooks.js';
import { Action, ErrorBox, Json, Loading, Page, Status, TaskSelect, Time } from '../ui.js';
import type { PlatformJob, TaskInfo } from '../wire-types.js';

const CANCELLABLE = ['pending', 'reserved', 'running', 'retrying'];
const RETRYABLE = ['failed', 'timeout', 'cancelled'];

export function PlatformJobPage({ id, canWrite }: { id: string; canWrite: boolean }) {
  const { data: job, error, reload } = useData(() => api.get<PlatformJob>(`/api/v1/jobs/${encodeURIComponent(id)}`), [id], (e) => e.job?.id === id);
  if (!job) return error ? <ErrorBox error={error} /> : <Loading />;
  return (
    <Page
      title={<>Job {job.id}</>}
      actions={
        canWrite ? (
          <>
            {CANCELLABLE.includes(job.status) ? (
              <Action label="Cancel" kind="danger" confirm={`Cancel job ${job.id}?`} run={() => api.post(`/api/v1/jobs/${job.id}/cancel`, null)} done={reload} />
            ) : null}
            {RETRYABLE.includes(job.status) ? <Action label="Retry" run={() => api.post(`/api/v1/jobs/${job.id}/retry`)} done={reload} /> : null}
          </>
        ) : null
      }
    >
      <ErrorBox error={error} />
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <Status value={job.status} />
        </dd>
        <dt>Task</dt>
        <dd>
          {job.task_name} {job.version ? <span class="muted">v{job.version}</span> : null}
        </dd>
        <dt>Queue / priority</dt>
        <dd>
          {job.queue_name} / {job.priority}
        </dd>
        <dt>Scheduled</dt>
        <dd>
          <Time value={job.scheduled_at} />
        </dd>
        <dt>Started</dt>
        <dd>
          <Time value={job.started_at} />
        </dd>
        <dt>Completed</dt>
        <dd>
          <Time value={job.completed_at} />
        </dd>
        <dt>Retries</dt>
        <dd>
          {job.retry_count} of {job.max_retries}
        </dd>
        <dt>Worker</dt>
        <dd class="mono">{job.worker_id ?? '—'}</dd>
        <dt>Tags</dt>
        <dd>{job.tags.join(', ') || '—'}</dd>
        <dt>Args</dt>
        <dd>
          <Json value={job.args} />
        </dd>
        <dt>Kwargs</dt>
        <dd>
          <Json value={job.kwargs} />
        </dd>
        <dt>Result</dt>
        <dd>
          <Json value={job.result} />
        </dd>
        {job.error ? (
          <>
            <dt>Error</dt>
            <dd>
              <strong>{job.error.type}</strong>: {job.error.message}
              {job.error.traceback ? <pre class="json">{job.error.traceback}</pre> : null}
            </dd>
          </>
        ) : null}
      </dl>
    </Page>
  );
}

/** Creates a job for a registered task. */
export function NewPlatformJob() {
  const tasks = useData(() => api.get<{ items: TaskInfo[] }>('/api/v1/tasks'), []);
  const { form, set, submit, error } = useForm({ task_name: '', args: '[]', kwargs: '{}', queue_name: '', priority: 'normal', scheduled_at: '', max_retries: '' });
  const send = async () => {
    const body: Record<string, unknown> = {
      task_name: form.task_name,
      args: JSON.parse(form.args) as unknown,
      kwargs: JSON.parse(form.kwargs) as unknown,
      priority: form.priority,
    };
    if (form.queue_name) body.queue_name = form.queue_name;
    if (form.scheduled_at) body.scheduled_at = new Date(form.scheduled_at).toISOString();
    if (form.max_retries) body.max_retries = Number(form.max_retries);
    const job = await api.post<PlatformJob>('/api/v1/jobs', body);
    navigate(`/platform/${job.id}`);
  };
  return (
    <Page title="New job">
      <form class="form" onSubmit={submit(send)}>
        <TaskSelect tasks={tasks.data?.items} value={form.task_name} onChange={set('task_name')} />
        <label>
          Args (JSON array)
          <textarea rows={2} value={form.args} onInput={set('args')} />
        </label>
        <label>
          Kwargs (JSON object)
          <textarea rows={3} value={form.kwargs} onInput={set('kwargs')} />
        </label>
        <label>
          Queue (default: the task's)
          <input value={form.queue_name} onInput={set('queue_name')} />
        </label>
        <label>
          Priority
          <select value={form.priority} onChange={set('priority')}>
            {['critical', 'high', 'normal', 'low'].map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label>
          Run at (empty: now)
          <input type="datetime-local" step="1" value={form.scheduled_at} onInput={set('scheduled_at')} />
        </label>
        <label>
          Max retries (default: the task's)
          <input type="number" min="0" value={form.max_retries} onInput={set('max_retries')} />
        </label>
        <ErrorBox error={error ?? tasks.error} />
        <button type="submit" class="primary">
          Create job
        </button>
      </form>
    </Page>
  );
}
