// Prometheus text exposition for a handful of counters and gauges; no client library needed for this.
type Labels = Record<string, string>;

function key(name: string, labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`);
  return parts.length ? `${name}{${parts.join(',')}}` : name;
}

export function createMetrics() {
  const counters = new Map<string, { help: string; values: Map<string, number> }>();
  const gauges = new Map<string, { help: string; read: () => number | Array<[Labels, number]> }>();

  return {
    counter(name: string, help: string) {
      const entry = { help, values: new Map<string, number>() };
      counters.set(name, entry);
      return (labels: Labels = {}, by = 1) => {
        const k = key(name, labels);
        entry.values.set(k, (entry.values.get(k) ?? 0) + by);
      };
    },
    gauge(name: string, help: string, read: () => number | Array<[Labels, number]>) {
      gauges.set(name, { help, read });
    },
    render(): string {
      const lines: string[] = [];
      for (const [name, { help, values }] of counters) {
        lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
        for (const [k, v] of values) lines.push(`${k} ${v}`);
      }
      for (const [name, { help, read }] of gauges) {
        lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
        const value = read();
        if (typeof value === 'number') lines.push(`${name} ${value}`);
        else for (const [labels, v] of value) lines.push(`${key(name, labels)} ${v}`);
      }
      return `${lines.join('\n')}\n`;
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
