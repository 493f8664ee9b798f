/**
 * Executions per day (stacked by outcome, left axis) and cost per day (line, right axis): the
 * two numbers staff watch, on one time axis so a cost spike lines up with its executions.
 */
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

import type { UsageBucket } from "../api";
import { formatCompact, formatCount, formatDay, formatDuration, formatUsd, roundTicks } from "../format";
import { Empty } from "./states";

const colours = { succeeded: "#2f9e6e", failed: "#d64545", cancelled: "#9aa5b1", cost: "#3b5bdb" };

export function UsageChart({ buckets, height = 280, label }: { buckets: UsageBucket[]; height?: number; label: string }) {
  if (buckets.every((b) => b.executions === 0)) return <Empty>No executions in this period.</Empty>;
  // Usage counts executions as they finish, so the three outcomes stacked are the day's executions
  // and the legend names exactly what is drawn (no series for running ones: they are never counted).
  const data = buckets;
  const byDay = new Map(data.map((b) => [b.day, b]));
  const costTicks = roundTicks(Math.max(...data.map((b) => b.costUsd)));
  return (
    <figure className="chart" aria-label={label}>
      {/* Axis titles above the plot: rotated labels collide with the tick labels at these widths. */}
      <div className="chart-axis-titles" aria-hidden="true">
        <span>Executions per day</span>
        <span>Cost per day (USD)</span>
      </div>
      <ResponsiveContainer width="100%" height={height}>
        <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="#e6e9ee" vertical={false} />
          <XAxis dataKey="day" tickFormatter={formatDay} minTickGap={24} tick={{ fontSize: 12 }} />
          <YAxis yAxisId="executions" allowDecimals={false} tickFormatter={formatCompact} width={44} tick={{ fontSize: 12 }} />
          <YAxis
            yAxisId="cost"
            orientation="right"
            domain={[0, costTicks.at(-1) ?? 0]}
            ticks={costTicks}
            tickFormatter={formatUsd}
            width={72}
            tick={{ fontSize: 12 }}
          />
          <Tooltip
            cursor={{ fill: "rgba(59, 91, 219, 0.08)" }}
            content={({ active, label: day }) => {
              const bucket = active && typeof day === "string" ? byDay.get(day) : undefined;
              if (!bucket) return null;
              return (
                <div className="chart-tooltip">
                  <div className="chart-tooltip-title">{formatDay(bucket.day)} (UTC)</div>
                  <div>Executions: {formatCount(bucket.executions)}</div>
                  <div>
                    Succeeded {formatCount(bucket.succeeded)} · failed {formatCount(bucket.failed)} · cancelled{" "}
                    {formatCount(bucket.cancelled)}
                  </div>
                  <div>Cost: {formatUsd(bucket.costUsd)}</div>
                  <div>Tokens: {formatCount(bucket.totalTokens)}</div>
                  <div>Avg duration: {formatDuration(bucket.avgDurationMs)}</div>
                </div>
              );
            }}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
          <Bar
            yAxisId="executions"
            dataKey="succeeded"
            name="succeeded"
            stackId="executions"
            fill={colours.succeeded}
            isAnimationActive={false}
          />
          <Bar yAxisId="executions" dataKey="failed" name="failed" stackId="executions" fill={colours.failed} isAnimationActive={false} />
          <Bar
            yAxisId="executions"
            dataKey="cancelled"
            name="cancelled"
            stackId="executions"
            fill={colours.cancelled}
            isAnimationActive={false}
          />
          <Line
            yAxisId="cost"
            dataKey="costUsd"
            name="cost"
            type="linear"
            stroke={colours.cost}
            strokeWidth={2}
            dot={false}
            isAnimationActive={false}
          />
        </ComposedChart>
      </ResponsiveContainer>
    </figure>
  );
}
