/** Prometheus text exposition format 0.0.4, without a client library: families in, text out. */

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type MetricType = "counter" | "gauge" | "summary" | "untyped";

export type Sample = {
  value: number;
  labels?: Record<string, string>;
  /** `_sum` or `_count` for a summary's samples. */
  suffix?: "_sum" | "_count";
};

export type MetricFamily = { name: string; help: string; type: MetricType; samples: Sample[] };

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** One `# HELP`, one `# TYPE`, then the samples, for each family; a blank line between families. */
export function formatPrometheus(families: readonly MetricFamily[]): string {
  const names = new Set<string>();
  return families
    .map((family) => {
      if (!METRIC_NAME.test(family.name)) throw new Error(`invalid metric name: ${family.name}`);
      if (names.has(family.name)) throw new Error(`duplicate metric family: ${family.name}`);
      names.add(family.name);
      const lines = [`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`];
      for (const sample of family.samples) lines.push(formatSample(family.name, sample));
      return `${lines.join("\n")}\n`;
    })
    .join("\n");
}

function formatSample(name: string, sample: Sample): string {
  return `${name}${sample.suffix ?? ""}${formatLabels(sample.labels)} ${formatValue(sample.value)}`;
}

function formatLabels(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return "";
  const pairs = entries.map(([key, value]) => {
    if (!LABEL_NAME.test(key) || key.startsWith("__")) throw new Error(`invalid label name: ${key}`);
    return `${key}="${escapeLabelValue(value)}"`;
  });
  return `{${pairs.join(",")}}`;
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

function escapeHelp(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

function escapeLabelValue(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}
