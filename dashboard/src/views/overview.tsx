import { api } from '../api.js';
import { BarChart, LineChart } from '../charts.js';
import { useData } from '../hooks.js';
import { recent } from '../live.js';
import { ErrorBox, Loading, Page, Status, Table, Time, ms } from '../ui.js';

type Counters = Record<string, number | null>;

interface Overview {
  node_id: string;
  store: { backend: string; ok: boolean; detail: string | null };
  counted_at: string;
  jobs: Counters & { by_queue: Record<string, Counters> };
  dapr_jobs: Record<string, number>;
  dead_letters: number;
  workers: { total: number; alive: number };
  firing: { minute: string; fired: number; succeeded: number; failed: number; late_p50_ms: number | null; late_p99_ms: number | null }[];
}

const STATUSES = ['pending', 'reserved', 'running', 'completed', 'failed', 'retrying', 'cancelled', 'timeout'];
const DAPR_STATUSES = ['scheduled', 'paused', 'completed', 'expired', 'failed'];

export function OverviewView() {
  // Every event can move a count or a chart; the hook reloads at most once a second.
  const { data, error } = useData(() => api.get<Overview>('/api/v1/overview'), [], () => true);
  if (!data) return error ? <ErrorBox error={error} /> : <Loading />;
  const lastHour = data.firing;
  const fired = lastHour.reduce((sum, m) => sum + m.fired, 0);
  return (
    <Page title="Overview">
      <ErrorBox error={error} />
      <div class="cards">
        <div class="card">
          <h2>Store</h2>
          <p class="big">{data.store.backend}</p>
          <p>
            <Status value={data.store.ok ? 'healthy' : 'unhealthy'} /> {data.store.detail}
          </p>
        </div>
        <div class="card">
          <h2>Dead letters</h2>
          <p class="big">
            <a href="#/dead-letters">{data.dead_letters}</a>
          </p>
          <p class="muted">waiting for a retry</p>
        </div>
        <div class="card">
          <h2>Workers</h2>
          <p class="big">
            <a href="#/tasks">
              {data.workers.alive} / {data.workers.total}
            </a>
          </p>
          <p class="muted">alive / known</p>
        </div>
        <div class="card">
          <h2>Fired, last hour</h2>
          <p class="big" data-testid="fired-last-hour">
            {fired}
          </p>
          <p class="muted">on node {data.node_id}</p>
        </div>
      </div>
      <div class="charts">
        <BarChart title="Firings per minute" values={lastHour.map((m) => m.fired)} unit="" />
        <LineChart
          title="Lateness (actual − scheduled)"
          unit=" ms"
          series={[
            { label: 'p50', values: lastHour.map((m) => m.late_p50_ms), class: 'p50' },
            { label: 'p99', values: lastHour.map((m) => m.late_p99_ms), class: 'p99' },
          ]}
        />
      </div>
      <div class="split">
        <div>
          <h2>
            Platform jobs by status <span class="muted small">(counted <Time value={data.counted_at} />)</span>
          </h2>
          <table>
            <tbody>
              {STATUSES.map((s) => (
                <tr key={s}>
                  <th scope="row">
                    <a href={`#/platform?status=${s}`}>
                      <Status value={s} />
                    </a>
                  </th>
                  <td class="num">{data.jobs[`${s}_jobs`]}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Dapr-style jobs by status</h2>
          <table data-testid="dapr-job-counts">
            <tbody>
              {DAPR_STATUSES.map((s) => (
                <tr key={s}>
                  <th scope="row">
                    <a href={`#/jobs?status=${s}`}>
                      <Status value={s} />
                    </a>
                  </th>
                  <td class="num">{data.dapr_jobs[s]}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Platform jobs by queue</h2>
          <Table
            rows={Object.entries(data.jobs.by_queue)}
            rowKey={([queue]) => queue}
            columns={[
              { label: 'Queue', cell: ([queue]) => <a href={`#/platform?queue_name=${encodeURIComponent(queue)}`}>{queue}</a> },
              { label: 'Total', num: true, cell: ([, c]) => c.total_jobs },
              { label: 'Pending', num: true, cell: ([, c]) => c.pending_jobs },
              { label: 'Running', num: true, cell: ([, c]) => c.running_jobs },
              { label: 'Failed', num: true, cell: ([, c]) => c.failed_jobs },
            ]}
          />
        </div>
        <div>
          <h2>Live</h2>
          <ul class="feed" aria-live="polite">
            {recent.length === 0 ? <li class="muted">No events yet.</li> : null}
            {recent.map((e) => (
              <li key={e.id}>
                <Time value={e.at} /> <strong>{e.type}</strong> {e.job ? e.job.name ?? e.job.task_name : (e.name ?? e.queue)}
                {e.late_ms !== undefined ? <span class="muted"> late {ms(e.late_ms)}</span> : null}
              </li>
            ))}
          </ul>
        </div>
      </div>
    </Page>
  );
}
