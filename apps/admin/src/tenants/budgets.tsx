/** A tenant's spend budgets (or those an agent's runs answer to): spend against limit, a bar coloured by state, the reset time. */
import { useQuery } from "@tanstack/react-query";

import { type AdminOutputs, useTRPC } from "../api";
import { formatDateTime, formatUsd } from "../format";
import { Empty, ErrorState, Loading } from "../ui/states";
import { Section } from "../ui/stats";

type Budget = AdminOutputs["budgets"]["items"][number];

const scopeLabel: Record<Budget["scope"], string> = { tenant: "Tenant", space: "Space", agent: "Agent", crew: "Crew" };

/**
 * The tenant page's budgets (`appliesToAgentId` unset: every budget of the tenant, newest first,
 * the first page) or the agent page's (the agent's own, its space's and the tenant's).
 */
export function BudgetsSection({ tenantId, appliesToAgentId }: { tenantId: string; appliesToAgentId?: string }) {
  const trpc = useTRPC();
  const budgets = useQuery(trpc.admin.budgets.queryOptions(appliesToAgentId ? { tenantId, appliesToAgentId } : { tenantId, limit: 50 }));
  return (
    <Section title={appliesToAgentId ? "Budgets this agent's runs answer to" : "Budgets"}>
      {budgets.isPending ? (
        <Loading what="the budgets" />
      ) : budgets.isError ? (
        <ErrorState error={budgets.error} what="the budgets" retry={() => void budgets.refetch()} />
      ) : budgets.data.items.length === 0 ? (
        <Empty>No budgets: spend is not limited.</Empty>
      ) : (
        <table className="table" aria-label="Budgets">
          <thead>
            <tr>
              <th scope="col">Budget</th>
              <th scope="col">Scope</th>
              <th scope="col">Spend this period</th>
              <th scope="col" className="num">
                Limit
              </th>
              <th scope="col">Resets</th>
            </tr>
          </thead>
          <tbody>
            {budgets.data.items.map((budget) => (
              <BudgetRow key={budget.id} budget={budget} />
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

function BudgetRow({ budget }: { budget: Budget }) {
  const { status } = budget;
  const threshold = budget.alertThresholdPercent;
  return (
    <tr data-budget-id={budget.id}>
      <td>
        <div>{budget.name}</div>
        <div className="muted small">
          {budget.enforcement === "hard" ? "hard: refuses new runs at the limit" : "soft: reports only"} · {budget.period}
        </div>
      </td>
      <td>{scopeLabel[budget.scope]}</td>
      <td className="budget-spend">
        <div
          className={`budget-bar budget-${status.state}`}
          role="meter"
          aria-label={`${budget.name}: ${status.percent}% of the limit spent`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.min(status.percent, 100)}
          title={`${status.percent}% spent${status.reservedUsd > 0 ? `, ${formatUsd(status.reservedUsd)} reserved by running executions` : ""}`}
        >
          <div className="budget-bar-fill" style={{ width: `${Math.min(status.percent, 100)}%` }} />
          {threshold !== null && (
            <div className="budget-bar-threshold" style={{ left: `${threshold}%` }} title={`alert at ${threshold}%`} />
          )}
        </div>
        <div className="small">
          {formatUsd(status.spendUsd)} of {formatUsd(status.limitUsd)} ({status.percent}%)
          {status.state === "exceeded" ? " · limit reached" : status.state === "threshold" ? ` · past the ${threshold}% alert` : ""}
        </div>
      </td>
      <td className="num">{formatUsd(budget.limitUsd)}</td>
      <td className="nowrap">{formatDateTime(status.resetsAt)}</td>
    </tr>
  );
}
