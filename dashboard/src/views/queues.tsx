import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { useData } from '../hooks.js';
import { Action, ErrorBox, Loading, Page, Status } from '../ui.js';

interface Queue {
  name: string;
  size: number;
  is_paused: boolean;
  running: number;
  concurrency: number | null;
}

const path = (name: string) => `/api/v1/queues/${encodeURIComponent(name)}`;

export function QueuesView({ canAdmin }: { canAdmin: boolean }) {
  const { data, error, reload } = useData(
    () => api.get<{ items: Queue[] }>('/api/v1/queues'),
    [],
    (e) => e.type === 'queue.changed' || Boolean(e.job?.task_name),
  );
  return (
    <Page title="Queues">
      <ErrorBox error={error} />
      {!data ? (
        <Loading />
      ) : (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th>Queue</th>
                <th>State</th>
                <th class="num">Waiting</th>
                <th class="num">Running</th>
                <th>Concurrency</th>
                {canAdmin ? <th>Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {data.items.map((q) => (
                <tr key={q.name} data-queue={q.name}>
                  <td>
                    <a href={`#/platform?queue_name=${encodeURIComponent(q.name)}`}>{q.name}</a>
                  </td>
                  <td>
                    <Status value={q.is_paused ? 'paused' : 'active'} />
                  </td>
                  <td class="num">{q.size}</td>
                  <td class="num">{q.running}</td>
                  <td>{canAdmin ? <Concurrency queue={q} done={reload} /> : (q.concurrency ?? 'no limit')}</td>
                  {canAdmin ? (
                    <td class="row-actions">
                      {q.is_paused ? (
                        <Action label="Resume" run={() => api.post(`${path(q.name)}/resume`)} done={reload} />
                      ) : (
                        <Action label="Pause" run={() => api.post(`${path(q.name)}/pause`)} done={reload} />
                      )}
                      <Action
                        label="Clear"
                        kind="danger"
                        confirm={`Remove the ${q.size} waiting jobs of queue ${q.name}? This cannot be undone.`}
                        run={() => api.post(`${path(q.name)}/clear`)}
                        done={reload}
                      />
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}

function Concurrency({ queue, done }: { queue: Queue; done: () => void }) {
  const [value, setValue] = useState(queue.concurrency === null ? '' : String(queue.concurrency));
  return (
    <span class="inline-form">
      <input
        type="number"
        min="1"
        placeholder="no limit"
        aria-label={`Concurrency of ${queue.name}`}
        value={value}
        onInput={(e) => setValue(e.currentTarget.value)}
      />
      <Action label="Set" run={() => api.put(path(queue.name), { concurrency: value === '' ? null : Number(value) })} done={done} />
    </span>
  );
}
