/**
 * An execution's cost as the panel shows it. A cost is unknown (null) when the model has no price
 * and the caller gave none: it reads "unpriced", never "$0.00", so staff see what to add to the
 * price table (the Models page lists the unpriced models).
 */
import type { AdminOutputs } from "../api";
import { formatCount, formatUsd } from "../format";
import { Section } from "../ui/stats";

export function CostAmount({ usd }: { usd: number | null }) {
  if (usd === null) {
    return (
      <span className="unpriced" title="No price for this model and none reported: the cost is unknown">
        unpriced
      </span>
    );
  }
  return <>{formatUsd(usd)}</>;
}

type Execution = AdminOutputs["execution"];
type Line = NonNullable<Execution["cost"]["pricing"]>["lines"][number];
type Price = NonNullable<Line["price"]>;

const sources: Record<NonNullable<Execution["cost"]["pricing"]>["source"], string> = {
  usage: "from the run's usage",
  steps: "the sum of its steps' costs",
  none: "no tokens: nothing to price",
  childRuns: "the sum of its child runs' costs",
};

/** USD per million tokens, as the price table holds them. */
const perMillion = (value: number | undefined) => (value === undefined ? "–" : `$${value}`);

/**
 * Provided against computed cost, which one counts, and how the computed one was made: one line
 * per model, with its tokens and the unit prices used then (a snapshot: a later price change
 * never rewrites it).
 */
export function CostBreakdown({ execution: e }: { execution: Execution }) {
  const { cost } = e;
  const pricing = cost.pricing;
  const counted = cost.providedUsd !== null ? "provided" : "computed";
  return (
    <Section title="Cost">
      <table className="table cost-table" aria-label="Cost breakdown">
        <tbody>
          <tr data-cost="provided">
            <th scope="row">Provided by the caller</th>
            <td className="num">{cost.providedUsd === null ? <span className="muted">none</span> : formatUsd(cost.providedUsd)}</td>
            <td className="muted">{counted === "provided" && e.status !== "running" ? "counted in usage" : ""}</td>
          </tr>
          <tr data-cost="computed">
            <th scope="row">Computed from prices</th>
            <td className="num">{pricing === null ? <span className="muted">not yet</span> : <CostAmount usd={cost.computedUsd} />}</td>
            <td className="muted">
              {pricing === null ? "priced when the run finishes" : sources[pricing.source]}
              {counted === "computed" && pricing !== null ? " · counted in usage" : ""}
            </td>
          </tr>
          {e.model && (
            <tr>
              <th scope="row">Model</th>
              <td colSpan={2}>
                <code>{e.model}</code>
              </td>
            </tr>
          )}
          {pricing?.unpricedChildRuns !== undefined && pricing.unpricedChildRuns > 0 && (
            <tr data-cost="unpriced-children">
              <th scope="row">Unpriced child runs</th>
              <td className="num">
                <span className="unpriced">{formatCount(pricing.unpricedChildRuns)}</span>
              </td>
              <td className="muted">the cost shown is the known part only</td>
            </tr>
          )}
        </tbody>
      </table>
      {pricing !== null && pricing.lines.length > 0 && (
        <div className="table-wrap">
          <table className="table" aria-label="Pricing lines">
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Price row</th>
                <th scope="col" className="num">
                  Steps
                </th>
                <th scope="col" className="num">
                  Input
                </th>
                <th scope="col" className="num">
                  Cached
                </th>
                <th scope="col" className="num">
                  Cache writes
                </th>
                <th scope="col" className="num">
                  Output
                </th>
                <th scope="col" className="num">
                  Reasoning
                </th>
                <th scope="col">Unit prices (USD / 1M tokens)</th>
                <th scope="col" className="num">
                  Cost
                </th>
              </tr>
            </thead>
            <tbody>
              {pricing.lines.map((line, i) => (
                <tr key={`${line.model}-${line.price?.modelId ?? i}`} data-line-model={line.model ?? ""}>
                  <td>{line.model ? <code>{line.model}</code> : <span className="muted">unknown</span>}</td>
                  <td>{line.price ? <PriceRow price={line.price} /> : <span className="unpriced">no price</span>}</td>
                  <td className="num">{formatCount(line.steps)}</td>
                  <td className="num">{formatCount(line.inputTokens)}</td>
                  <td className="num">{formatCount(line.cachedInputTokens)}</td>
                  <td className="num">{formatCount(line.cacheWriteTokens)}</td>
                  <td className="num">{formatCount(line.outputTokens)}</td>
                  <td className="num">{formatCount(line.reasoningTokens)}</td>
                  <td>{line.price ? <UnitPrices price={line.price} inputTokens={line.inputTokens} /> : "–"}</td>
                  <td className="num">
                    <CostAmount usd={line.costUsd} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

function PriceRow({ price }: { price: Price }) {
  return (
    <span title={`price row ${price.modelId}`}>
      {price.provider} / {price.modelName}
      <span className="muted">
        {" "}
        · {price.tenantOverride ? "tenant price" : price.source} · from {price.validFrom.slice(0, 10)}
      </span>
    </span>
  );
}

/** The unit prices the line was billed at: the row's, or a long-context tier's when its input passed the tier's threshold (price_usage). */
function UnitPrices({ price, inputTokens }: { price: Price; inputTokens: number }) {
  const tier = price.tiers.filter((t) => inputTokens > t.inputTokensAbove).sort((a, b) => b.inputTokensAbove - a.inputTokensAbove)[0];
  const parts: Array<[string, number | undefined]> = [
    ["in", tier?.input ?? price.input],
    ["cached", tier?.cachedInput ?? price.cachedInput],
    ["cache write", tier?.cacheWrite ?? price.cacheWrite],
    ["out", tier?.output ?? price.output],
    ["reasoning", tier?.reasoning ?? price.reasoning],
  ];
  return (
    <span className="unit-prices">
      {parts
        .filter(([, value]) => value !== undefined)
        .map(([label, value]) => `${label} ${perMillion(value)}`)
        .join(" · ")}
      {tier && <span className="muted"> · tier above {formatCount(tier.inputTokensAbove)} input tokens</span>}
    </span>
  );
}
