import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

export interface Series {
  readonly label: string;
  readonly color: string;
  readonly values: readonly (number | null)[];
}

interface Props {
  readonly title: string;
  readonly unit: string;
  /** Unix seconds. */
  readonly times: readonly number[];
  readonly series: readonly Series[];
  readonly testId?: string;
}

const HEIGHT = 180;

/**
 * A uPlot line chart. The plot is made once per series layout and fed new data on each update
 * (uPlot's setData), so a live chart keeps its canvas and costs one redraw per poll.
 */
export function Chart({ title, unit, times, series, testId }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const layout = series.map((s) => s.label).join("|");
  const data = [times as number[], ...series.map((s) => s.values as (number | null)[])] as uPlot.AlignedData;

  useEffect(() => {
    const el = host.current!;
    const options: uPlot.Options = {
      width: Math.max(240, el.clientWidth),
      height: HEIGHT,
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, spanGaps: true, value: (_u: uPlot, v: number | null) => (v === null ? "–" : `${round(v)} ${unit}`) }))],
      axes: [{}, { size: 56, values: (_u: uPlot, ticks: number[]) => ticks.map((t) => round(t)) }],
      scales: { x: { time: true } },
      legend: { live: false },
    };
    plot.current = new uPlot(options, data, el);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(240, el.clientWidth), height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [layout, unit]);

  useEffect(() => {
    plot.current?.setData(data);
  });

  return (
    <figure class="chart" data-testid={testId} data-points={times.length}>
      <figcaption>{title}</figcaption>
      <div ref={host} />
    </figure>
  );
}

function round(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}
