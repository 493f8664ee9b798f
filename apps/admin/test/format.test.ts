import { describe, expect, it } from "vitest";

import {
  formatAgo,
  formatCount,
  formatDateTime,
  formatDay,
  formatDuration,
  formatPercent,
  formatShare,
  formatUsd,
  roundTicks,
  shortId,
} from "../src/format";

describe("formatting", () => {
  it("writes counts with thousands separators", () => {
    expect(formatCount(0)).toBe("0");
    expect(formatCount(1_234_567)).toBe("1,234,567");
  });

  it("writes every dollar amount with four decimals, and a non-zero amount below that as <$0.0001", () => {
    // The amounts the panel showed at three precisions before ($0.00168, $0.000143, $0.0008).
    expect(formatUsd(0.00168)).toBe("$0.0017");
    expect(formatUsd(0.000143)).toBe("$0.0001");
    expect(formatUsd(0.0008)).toBe("$0.0008");
    expect(formatUsd(0)).toBe("$0.0000");
    expect(formatUsd(-0)).toBe("$0.0000");
    expect(formatUsd(0.12)).toBe("$0.1200");
    expect(formatUsd(2)).toBe("$2.0000");
    expect(formatUsd(1234.5)).toBe("$1,234.5000");
    expect(formatUsd(0.00004)).toBe("<$0.0001");
    expect(formatUsd(0.00005)).toBe("$0.0001");
    // One shape for every amount: dollar sign, grouped integer part, exactly four decimals.
    for (const amount of [0, 0.000051, 0.0124, 0.5, 17.25, 98_765.4321]) expect(formatUsd(amount)).toMatch(/^\$\d{1,3}(,\d{3})*\.\d{4}$/);
  });

  it("writes durations in the largest sensible unit", () => {
    expect(formatDuration(null)).toBe("–");
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(1234)).toBe("1.2 s");
    expect(formatDuration(42_000)).toBe("42 s");
    expect(formatDuration(120_000)).toBe("2 min");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
    expect(formatDuration(3_780_000)).toBe("1 h 3 min");
  });

  it("writes rates, shares, times and ids", () => {
    expect(formatPercent(0.0734)).toBe("7.3%");
    expect(formatPercent(null)).toBe("–");
    expect(formatShare(1, 4)).toBe("25%");
    expect(formatShare(0, 0)).toBe("–");
    expect(formatDateTime("2026-11-22T15:38:12.345Z")).toBe("2026-11-22 15:38 UTC");
    expect(formatDateTime("2026-11-22T15:38:12.345Z", { seconds: true, zone: false })).toBe("2026-11-22 15:38:12");
    expect(formatDay("2026-11-03")).toBe("Nov 3");
    expect(formatAgo("2026-11-22T12:00:00Z", Date.parse("2026-11-22T15:00:00Z"))).toBe("3 h ago");
    expect(formatAgo(null)).toBe("never");
    expect(shortId("00000001-0000-4000-8003-000000000001")).toBe("00000001…0001");
  });

  it("picks round axis ticks that cover the largest value", () => {
    expect(roundTicks(0.038)).toEqual([0, 0.01, 0.02, 0.03, 0.04]);
    expect(roundTicks(0.0124)).toEqual([0, 0.005, 0.01, 0.015]);
    expect(roundTicks(1)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(roundTicks(0)).toEqual([0, 1]);
  });
});
