/**
 * A Chart.js chart with what a screen reader needs: the canvas is an image with a summary label, and the
 * same numbers are one click away as a table. Only the bar chart pieces are registered (smaller bundle).
 */
import { t } from '../i18n';
import { BarController, BarElement, CategoryScale, Chart, type ChartData, type ChartOptions, Legend, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);
Chart.defaults.font.family = 'system-ui, sans-serif';
Chart.defaults.color = '#1f2328';

export interface TableView {
  caption: string;
  headers: string[];
  rows: (string | number)[][];
}

export function BarChart({ id, data, options, summary, table }: { id: string; data: ChartData<'bar'>; options?: ChartOptions<'bar'>; summary: string; table: TableView }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'bar'> | null>(null);
  useEffect(() => {
    if (!canvas.current) return;
    chart.current = new Chart(canvas.current, {
      type: 'bar',
      data,
      options: { responsive: true, maintainAspectRatio: false, animation: false, ...options },
    });
    return () => chart.current?.destroy();
  }, []);
  useEffect(() => {
    if (!chart.current) return;
    chart.current.data = data;
    chart.current.update('none');
  }, [data]);
  return (
    <figure class="chart" aria-labelledby={`${id}-caption`}>
      <div class="chart-box">
        <canvas ref={canvas} id={id} role="img" aria-label={summary} />
      </div>
      <figcaption id={`${id}-caption`}>{summary}</figcaption>
      <details class="chart-table">
        <summary>{t().ops.showTable}</summary>
        <table>
          <caption>{table.caption}</caption>
          <thead>
            <tr>
              {table.headers.map((h) => (
                <th scope="col" key={h}>
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((r, i) => (
              <tr key={i}>
                {r.map((c, j) => (j === 0 ? <th scope="row" key={j}>{c}</th> : <td key={j}>{c}</td>))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

/** Decision colours: each also has its word beside it everywhere, so colour is never the only signal. */
export const DECISION_COLOURS = { clear: '#2e7d32', refer: '#b26a00', hit: '#c62828' } as const;
