import type { UsagePeriods } from "../api";
import { formatCount, formatDuration, formatShare, formatUsd } from "../format";

/**
 * Today / this week / this month / lifetime side by side: one column per UTC period. Usage
 * counts an execution when it finishes, so Executions is exactly Succeeded + Failed + Cancelled;
 * runs still going are in no row until they end.
 */
export function UsagePeriodsTable({ usage }: { usage: UsagePeriods }) {
  const periods = [
    ["Today", usage.today],
    ["This week", usage.thisWeek],
    ["This month", usage.thisMonth],
    ["Lifetime", usage.lifetime],
  ] as const;
  const rows: Array<[string, (t: UsagePeriods["today"]) => string]> = [
    ["Executions", (t) => formatCount(t.executions)],
    ["Succeeded", (t) => formatCount(t.succeeded)],
    ["Failed", (t) => formatCount(t.failed)],
    ["Cancelled", (t) => formatCount(t.cancelled)],
    ["Failure rate", (t) => formatShare(t.failed, t.succeeded + t.failed + t.cancelled)],
    ["Tokens", (t) => formatCount(t.totalTokens)],
    ["Cost", (t) => formatUsd(t.costUsd)],
    ["Avg duration", (t) => formatDuration(t.avgDurationMs)],
  ];
  return (
    <div className="table-wrap">
      <table className="table usage-periods" aria-label="Usage by period">
        <caption className="muted small">Finished executions only: running ones are counted when they end.</caption>
        <thead>
          <tr>
            <th scope="col">Usage (UTC)</th>
            {periods.map(([label]) => (
              <th key={label} scope="col" className="num">
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, cell]) => (
            <tr key={label} data-row={label}>
              <th scope="row">{label}</th>
              {periods.map(([period, totals]) => (
                <td key={period} className="num">
                  {cell(totals)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
