import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { navigate, useData, useForm } from '../hooks.js';
import { Action, ErrorBox, Loading, Page, Status, Table, TaskSelect, Time } from '../ui.js';
import type { Schedule, TaskInfo } from '../wire-types.js';


const intervalSeconds = (i: Schedule['interval']): number =>
  i ? (i.seconds ?? 0) + (i.minutes ?? 0) * 60 + (i.hours ?? 0) * 3600 + (i.days ?? 0) * 86400 : 0;

export function SchedulesView({ canWrite }: { canWrite: boolean }) {
  const { data, error, reload } = useData(
    () => api.get<{ items: Schedule[]; total: number }>('/api/v1/schedules?limit=100'),
    [],
    (e) => e.type === 'schedule.changed' || (e.type === 'job.fired' && Boolean(e.job?.task_name)),
  );
  return (
    <Page title="Schedules" actions={canWrite ? <a class="button primary" href="#/schedules/new">New schedule</a> : null}>
      <ErrorBox error={error} />
      {!data ? (
        <Loading />
      ) : (
        <Table
          rows={data.items}
          rowKey={(s) => s.id}
          columns={[
            { label: 'Name', cell: (s) => s.name },
            { label: 'Task', cell: (s) => s.task_name },
            { label: 'Every', class: 'mono', cell: (s) => s.cron_expression ?? `${intervalSeconds(s.interval)} s` },
            { label: 'Status', cell: (s) => <Status value={s.status} /> },
            { label: 'Next run', cell: (s) => <Time value={s.next_run_at} /> },
            { label: 'Last run', cell: (s) => <Time value={s.last_run_at} /> },
            canWrite && { label: 'Actions', class: 'row-actions', cell: (s) => <ScheduleActions schedule={s} done={reload} /> },
          ]}
        />
      )}
    </Page>
  );
}

function ScheduleActions({ schedule: s, done }: { schedule: Schedule; done: () => void }) {
  return (
    <>
      {s.status === 'active' ? (
        <Action label="Pause" run={() => api.post(`/api/v1/schedules/${s.id}/pause`)} done={done} />
      ) : (
        <Action label="Resume" run={() => api.post(`/api/v1/schedules/${s.id}/resume`)} done={done} />
      )}
      <a class="button" href={`#/schedules/${s.id}`}>
        Edit
      </a>
      <Action label="Delete" kind="danger" confirm={`Delete schedule ${s.name}?`} run={() => api.del(`/api/v1/schedules/${s.id}`)} done={done} />
    </>
  );
}

/** Edits a schedule (or creates one), previewing the next 10 occurrences as the expression is typed. */
export function ScheduleForm({ id }: { id: string | null }) {
  const tasks = useData(() => api.get<{ items: TaskInfo[] }>('/api/v1/tasks'), []);
  const { form, setForm, set, submit, error, setError } = useForm({
    name: '',
    task_name: '',
    kind: 'cron',
    cron_expression: '*/5 * * * *',
    interval_seconds: '60',
    timezone: '',
    kwargs: '{}',
  });
  const [preview, setPreview] = useState<{ occurrences: string[] } | { error: string } | null>(null);
  useEffect(() => {
    if (!id) return;
    void api.get<Schedule>(`/api/v1/schedules/${id}`).then(
      (s) =>
        setForm({
          name: s.name,
          task_name: s.task_name,
          kind: s.cron_expression ? 'cron' : 'interval',
          cron_expression: s.cron_expression ?? '',
          interval_seconds: String(intervalSeconds(s.interval)),
          timezone: s.timezone ?? '',
          kwargs: JSON.stringify(s.kwargs),
        }),
      (e: Error) => setError(e.message),
    );
  }, [id]);
  const expression = form.kind === 'cron' ? { cron_expression: form.cron_expression } : { interval_seconds: form.interval_seconds };
  useEffect(() => {
    const timer = setTimeout(() => {
      api.get<{ occurrences: string[] }>(`/api/v1/schedules/preview${query({ ...expression, timezone: form.timezone })}`).then(setPreview, (e: Error) =>
        setPreview({ error: e.message }),
      );
    }, 250);
    return () => clearTimeout(timer);
  }, [form.kind, form.cron_expression, form.interval_seconds, form.timezone]);
  const send = async () => {
    const body: Record<string, unknown> = {
      name: form.name,
      task_name: form.task_name,
      kwargs: JSON.parse(form.kwargs) as unknown,
      timezone: form.timezone || null,
      ...(form.kind === 'cron' ? { cron_expression: form.cron_expression } : { interval: { seconds: Number(form.interval_seconds) } }),
    };
    if (id) await api.put(`/api/v1/schedules/${id}`, body);
    else await api.post('/api/v1/schedules', body);
    navigate('/schedules');
  };
  return (
    <Page title={id ? 'Edit schedule' : 'New schedule'}>
      <div class="split">
        <form class="form" onSubmit={submit(send)}>
          <label>
            Name
            <input required value={form.name} onInput={set('name')} />
          </label>
          <TaskSelect tasks={tasks.data?.items} value={form.task_name} onChange={set('task_name')} />
          <fieldset>
            <legend>Runs</legend>
            <label class="inline">
              <input type="radio" name="kind" value="cron" checked={form.kind === 'cron'} onChange={set('kind')} /> cron
            </label>
            <label class="inline">
              <input type="radio" name="kind" value="interval" checked={form.kind === 'interval'} onChange={set('kind')} /> every N seconds
            </label>
            {form.kind === 'cron' ? (
              <label>
                Cron expression (5 fields, or 6 with seconds, or @daily, @every 1h)
                <input class="mono" value={form.cron_expression} onInput={set('cron_expression')} />
              </label>
            ) : (
              <label>
                Interval, seconds
                <input type="number" min="1" value={form.interval_seconds} onInput={set('interval_seconds')} />
              </label>
            )}
            <label>
              Time zone (IANA, e.g. Europe/Paris; empty: UTC)
              <input value={form.timezone} onInput={set('timezone')} />
            </label>
          </fieldset>
          <label>
            Kwargs (JSON object)
            <textarea rows={3} value={form.kwargs} onInput={set('kwargs')} />
          </label>
          <ErrorBox error={error ?? tasks.error} />
          <button type="submit" class="primary">
            {id ? 'Save' : 'Create schedule'}
          </button>
        </form>
        <div>
          <h2>Next 10 occurrences</h2>
          {!preview ? (
            <Loading />
          ) : 'error' in preview ? (
            <p class="error">{preview.error}</p>
          ) : (
            <ol class="preview" data-testid="preview">
              {preview.occurrences.map((t) => (
                <li key={t}>
                  <Time value={t} />
                </li>
              ))}
            </ol>
          )}
        </div>
      </div>
    </Page>
  );
}
