/**
 * USD per million tokens, as stored: at least 2 decimals, up to the 6 the table keeps ($2.50,
 * $0.075, $0.000125), so a price reads exactly as it bills. The panel's `formatUsd` rounds to 4
 * decimals, which is right for run costs and wrong for unit prices.
 */
const perMillion = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  minimumFractionDigits: 2,
  maximumFractionDigits: 6,
});

export function formatPricePerMillion(price: number): string {
  return perMillion.format(price);
}
