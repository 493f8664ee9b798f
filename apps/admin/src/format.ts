/**
 * Every number, amount, duration and time the panel shows goes through here, so the same value
 * reads the same on every page. The locale is fixed (en-US, amounts in USD as the API stores
 * them) so staff in different places read identical figures, and times are UTC because the
 * API's usage periods (today, this week, this month) are UTC periods.
 */

const locale = "en-US";
const integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat(locale, { notation: "compact", maximumFractionDigits: 1 });

/** 1234567 → "1,234,567". */
export function formatCount(value: number): string {
  return integer.format(value);
}

/** 1234567 → "1.2M": for chart axes, where space is short. */
export function formatCompact(value: number): string {
  return compact.format(value);
}

/**
 * US dollars, always with four decimals: agent runs cost fractions of a cent, and one fixed
 * precision keeps amounts comparable at a glance and aligned in columns ($0.0017, $0.0001,
 * $12.3456, $1,234.5000). A non-zero amount that would round to zero reads "<$0.0001", so it is
 * not mistaken for nothing.
 */
const usd = new Intl.NumberFormat(locale, { style: "currency", currency: "USD", minimumFractionDigits: 4, maximumFractionDigits: 4 });
const usdSmallest = 0.0001;

export function formatUsd(value: number): string {
  if (value > 0 && value < usdSmallest / 2) return `<${usd.format(usdSmallest)}`;
  return usd.format(value === 0 ? 0 : value);
}

/** 0.0734 → "7.3%"; null (nothing to divide by) → "–". */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return "–";
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(ratio);
}

/** part / whole as a percentage, "–" when whole is 0. */
export function formatShare(part: number, whole: number): string {
  return whole === 0 ? "–" : formatPercent(part / whole);
}

/** 850 → "850 ms", 1234 → "1.2 s", 125000 → "2 min 5 s", 3_780_000 → "1 h 3 min"; null → "–". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) {
    const seconds = totalSeconds % 60;
    return seconds === 0 ? `${Math.floor(totalSeconds / 60)} min` : `${Math.floor(totalSeconds / 60)} min ${seconds} s`;
  }
  const totalMinutes = Math.round(totalSeconds / 60);
  const minutes = totalMinutes % 60;
  return minutes === 0 ? `${Math.floor(totalMinutes / 60)} h` : `${Math.floor(totalMinutes / 60)} h ${minutes} min`;
}

/** An ISO timestamp as "2026-11-22 15:38 UTC"; with seconds for event logs; without the zone where a column header names it. */
export function formatDateTime(iso: string | null | undefined, options: { seconds?: boolean; zone?: boolean } = {}): string {
  if (!iso) return "–";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "–";
  const text = date
    .toISOString()
    .slice(0, options.seconds ? 19 : 16)
    .replace("T", " ");
  return options.zone === false ? text : `${text} UTC`;
}

/** "2026-11-03" → "Nov 3": chart axis labels. */
export function formatDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  return new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", timeZone: "UTC" }).format(date);
}

/** How long ago, for "last execution" columns: "3 min ago", "2 d ago"; null → "never". */
export function formatAgo(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return "never";
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** A uuid shortened for tables ("00000001…0001"); the full id stays in the title attribute. */
export function shortId(id: string): string {
  return id.length > 13 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id;
}

/**
 * Round tick values (0, 0.01, 0.02, ...) for the cost axis. Recharts' own ticks split the data's
 * maximum into equal parts, which gives labels such as $0.0285 for amounts this small.
 */
export function roundTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((f) => f * power >= rough) ?? 10) * power;
  const ticks: number[] = [];
  for (let i = 0; i * step < max + step * 1e-9 || ticks.length < 2; i++) ticks.push(Number((i * step).toPrecision(12)));
  // The loop above leaves at least two ticks.
  if ((ticks.at(-1) ?? 0) < max) ticks.push(Number((ticks.length * step).toPrecision(12)));
  return ticks;
}
