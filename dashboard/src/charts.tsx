/** Two tiny SVG charts (no chart library): bars per minute, and lines for lateness percentiles. */
const W = 600;
const H = 140;
const PAD = 28;

interface Series {
  label: string;
  values: (number | null)[];
  class: string;
}

function axis(max: number, unit: string) {
  return (
    <>
      <line x1={PAD} y1={H - PAD} x2={W} y2={H - PAD} class="axis" />
      <text x={2} y={12} class="tick">
        {formatMax(max)}
        {unit}
      </text>
      <text x={2} y={H - PAD} class="tick">
        0
      </text>
      <text x={PAD} y={H - 8} class="tick">
        −60 min
      </text>
      <text x={W - 30} y={H - 8} class="tick">
        now
      </text>
    </>
  );
}

const formatMax = (max: number): string => (max >= 100 ? max.toFixed(0) : max.toPrecision(2));

export function BarChart({ title, values, unit }: { title: string; values: number[]; unit: string }) {
  const max = Math.max(1, ...values);
  const step = (W - PAD) / values.length;
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}: ${values.reduce((a, b) => a + b, 0)} in the last hour`}>
        {axis(max, unit)}
        {values.map((v, i) => {
          const h = ((H - PAD - 16) * v) / max;
          return <rect key={i} x={PAD + i * step + 1} y={H - PAD - h} width={Math.max(1, step - 2)} height={h} class="bar" />;
        })}
      </svg>
    </figure>
  );
}

export function LineChart({ title, series, unit }: { title: string; series: Series[]; unit: string }) {
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = Math.max(1, ...all);
  const length = series[0]?.values.length ?? 1;
  const step = (W - PAD) / Math.max(1, length - 1);
  const y = (v: number) => H - PAD - ((H - PAD - 16) * v) / max;
  return (
    <figure class="chart">
      <figcaption>
        {title}{' '}
        {series.map((s) => (
          <span key={s.label} class={`legend ${s.class}`}>
            {s.label}
          </span>
        ))}
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
        {axis(max, unit)}
        {series.map((s) => (
          <g key={s.label} class={s.class}>
            {s.values.map((v, i) => (v === null ? null : <circle key={i} cx={PAD + i * step} cy={y(v)} r={2.5} />))}
            <polyline
              fill="none"
              points={s.values.map((v, i) => (v === null ? null : `${PAD + i * step},${y(v)}`)).filter(Boolean).join(' ')}
            />
          </g>
        ))}
      </svg>
    </figure>
  );
}
