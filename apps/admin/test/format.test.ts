import { describe, expect, it } from "vitest";

import { formatAgo, formatCount, formatDateTime, formatDay, formatDuration, formatPercent, formatShare, formatUsd, roundTicks, shortId } from "../src/format";

describe("formatting", () => {
  it("writes counts with thousands separators", () => {
    expect(formatCount(0)).toBe("0");
    expect(formatCount(1_234_567)).toBe("1,234,567");
  });

  it("writes dollars with cents, and small amounts with enough digits to tell them from zero", () => {
    expect(formatUsd(0)).toBe("$0.00");
    expect(formatUsd(1234.5)).toBe("$1,234.50");
    expect(formatUsd(0.12)).toBe("$0.12");
    expect(formatUsd(0.0124)).toBe("$0.0124");
    expect(formatUsd(0.000812)).toBe("$0.000812");
    expect(formatUsd(0.0000004)).toBe("$0.00");
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
