// Stacked cost per bucket by model (uPlot). uPlot has no stacking, so each series is drawn as the running
// total up to it, largest first, and the legend shows each model's own value. Styles go through CSSOM only.
import { createEffect, onCleanup, onMount } from 'solid-js';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { type CostSeries, formatUsd } from './costs-api';

const COLOURS = ['#2f5fb3', '#23a55a', '#d68a00', '#b42318', '#7a4dbf', '#1a8c9c', '#c2527a', '#6b7280', '#8a93a0'];

function stackedData(series: CostSeries): { data: uPlot.AlignedData; individual: number[][] } {
  const xs = series.buckets.map((iso) => Date.parse(iso) / 1000);
  const individual = series.series.map((s) => s.costUsd);
  const running = xs.map(() => 0);
  const cumulative = individual.map((values) => values.map((value, i) => (running[i] = (running[i] ?? 0) + value)));
  // Largest running total first, so each smaller one is drawn on top of it.
  return { data: [xs, ...cumulative.slice().reverse()], individual: individual.slice().reverse() };
}

export function CostChart(props: { series: CostSeries; label: string }) {
  let container!: HTMLDivElement;
  let plot: uPlot | undefined;
  let individual: number[][] = [];

  function options(width: number): uPlot.Options {
    const reversed = props.series.series.slice().reverse();
    const hourly = props.series.bucket === 'hour';
    const starts = props.series.buckets.map((iso) => Date.parse(iso) / 1000);
    const bucketSeconds = starts.length > 1 ? (starts[1] ?? 0) - (starts[0] ?? 0) : hourly ? 3_600 : 86_400;
    return {
      width,
      height: 260,
      cursor: { drag: { x: false, y: false } },
      // Stacked bars stand on zero; a little headroom above the tallest stack.
      // Half a bucket of room at both ends so the first and last bars are whole.
      scales: {
        x: { time: true, range: (_u, min, max) => [min - bucketSeconds / 2, max + bucketSeconds / 2] },
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] },
      },
      axes: [
        {
          // One tick per bucket at most: whole hours or whole days, never three labels for one day.
          incrs: hourly ? [3_600, 7_200, 10_800, 21_600, 43_200] : [86_400, 172_800, 604_800, 2_592_000],
          values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toLocaleString(undefined, hourly ? { hour: '2-digit', minute: '2-digit' } : { month: 'short', day: 'numeric' })),
        },
        { values: (_u, ticks) => ticks.map((t) => formatUsd(t)), size: 70 },
      ],
      series: [
        { label: 'Time', value: (_u, t) => (t == null ? '' : new Date(t * 1000).toLocaleString()) },
        ...reversed.map((s, i) => {
          const colour = COLOURS[(reversed.length - 1 - i) % COLOURS.length] ?? '#6b7280';
          return {
            label: s.label,
            stroke: colour,
            fill: `${colour}cc`,
            paths: uPlot.paths.bars?.({ size: [0.7, 48] }),
            points: { show: false },
            value: (_u: uPlot, _v: number | null, seriesIndex: number, dataIndex: number | null) =>
              dataIndex == null ? '' : formatUsd(individual[seriesIndex - 1]?.[dataIndex] ?? 0),
          };
        }),
      ],
    };
  }

  function render() {
    const stacked = stackedData(props.series);
    individual = stacked.individual;
    const width = Math.max(320, container.clientWidth);
    const sameShape = plot && plot.series.length === stacked.data.length && plot.series.every((s, i) => i === 0 || s.label === props.series.series[props.series.series.length - i]?.label);
    if (plot && sameShape) {
      plot.setData(stacked.data);
      return;
    }
    plot?.destroy();
    plot = new uPlot(options(width), stacked.data, container);
  }

  onMount(() => {
    const observer = new ResizeObserver(() => plot?.setSize({ width: Math.max(320, container.clientWidth), height: 260 }));
    observer.observe(container);
    onCleanup(() => {
      observer.disconnect();
      plot?.destroy();
    });
  });
  createEffect(() => {
    // Track every bucket value so a live refetch redraws.
    for (const s of props.series.series) for (const value of s.costUsd) void value;
    void props.series.buckets.length;
    render();
  });

  return <div class="cost-chart" ref={container} role="img" aria-label={props.label} />;
}
