import { describe, expect, it } from "vitest";
import { formatPrometheus, formatValue } from "./prometheus.js";

describe("formatPrometheus", () => {
  it("writes HELP, TYPE and samples for each family, a blank line between families", () => {
    const text = formatPrometheus([
      { name: "minibot_calls_active", help: "Number of active calls", type: "gauge", samples: [{ value: 12 }] },
      {
        name: "switchboard_calls",
        help: "Calls by status",
        type: "gauge",
        samples: [
          { labels: { status: "pending" }, value: 3 },
          { labels: { status: "in_progress" }, value: 0 },
        ],
      },
    ]);

    expect(text).toBe(
      [
        "# HELP minibot_calls_active Number of active calls",
        "# TYPE minibot_calls_active gauge",
        "minibot_calls_active 12",
        "",
        "# HELP switchboard_calls Calls by status",
        "# TYPE switchboard_calls gauge",
        'switchboard_calls{status="pending"} 3',
        'switchboard_calls{status="in_progress"} 0',
        "",
      ].join("\n"),
    );
  });

  it("writes a summary's _sum and _count samples under its name", () => {
    const text = formatPrometheus([
      {
        name: "call_duration_seconds",
        help: "Durations",
        type: "summary",
        samples: [
          { suffix: "_sum", value: 12.5 },
          { suffix: "_count", value: 2 },
        ],
      },
    ]);
    expect(text).toContain("call_duration_seconds_sum 12.5\ncall_duration_seconds_count 2\n");
  });

  it("escapes help text and label values", () => {
    const text = formatPrometheus([
      { name: "m", help: "back\\slash\nnewline", type: "gauge", samples: [{ labels: { l: 'a"b\\c\nd' }, value: 1 }] },
    ]);
    expect(text).toContain("# HELP m back\\\\slash\\nnewline\n");
    expect(text).toContain('m{l="a\\"b\\\\c\\nd"} 1');
  });

  it("refuses invalid or duplicate names", () => {
    expect(() => formatPrometheus([{ name: "bad-name", help: "", type: "gauge", samples: [] }])).toThrow(/metric name/);
    expect(() =>
      formatPrometheus([{ name: "m", help: "", type: "gauge", samples: [{ labels: { "bad-label": "x" }, value: 1 }] }]),
    ).toThrow(/label name/);
    const family = { name: "m", help: "", type: "gauge" as const, samples: [] };
    expect(() => formatPrometheus([family, family])).toThrow(/duplicate/);
  });

  it("writes special values as Prometheus spells them", () => {
    expect([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.045, 3].map(formatValue)).toEqual([
      "NaN",
      "+Inf",
      "-Inf",
      "0.045",
      "3",
    ]);
  });
});
