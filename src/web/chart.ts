/** A uPlot trend chart with vertical anomaly markers, sized to its container. */
import uPlot from 'uplot';
import { visibleText } from './display.js';
import { gradeLevel } from './grades.js';
import type { Aligned } from './series.js';

export interface Marker {
  ts: number;
  grade: number;
}

const PALETTE = ['#2563eb', '#059669', '#d97706', '#7c3aed', '#db2777', '#0891b2', '#65a30d', '#dc2626', '#475569', '#9333ea'];
const MARKER_COLOURS = ['#94a3b8', '#eab308', '#f97316', '#ef4444', '#b91c1c'];

export interface TrendChart {
  setData(data: Aligned): void;
  setMarkers(markers: readonly Marker[]): void;
  destroy(): void;
}

/**
 * `xRange()` gives the x span to show (the picked time range; undefined ends follow the data), asked at
 * every redraw so that a live range slides. The container's `data-markers` counts the markers in view
 * (canvas pixels are opaque to tests).
 */
export function trendChart(container: HTMLElement, labels: string[], data: Aligned, xRange: () => [number | undefined, number | undefined]): TrendChart {
  let markers: readonly Marker[] = [];
  const markerPlugin: uPlot.Plugin = {
    hooks: {
      draw: (u) => {
        const { ctx } = u;
        const { top, height } = u.bbox;
        const min = u.scales.x.min ?? -Infinity;
        const max = u.scales.x.max ?? Infinity;
        let shown = 0;
        ctx.save();
        ctx.lineWidth = Math.max(1, devicePixelRatio);
        for (const m of markers) {
          if (m.ts < min || m.ts > max) continue;
          shown++;
          const x = Math.round(u.valToPos(m.ts, 'x', true));
          ctx.strokeStyle = MARKER_COLOURS[gradeLevel(m.grade)];
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
        }
        ctx.restore();
        container.dataset.markers = String(shown);
      },
    },
  };
  const opts: uPlot.Options = {
    width: Math.max(200, container.clientWidth),
    height: 170,
    ms: 1,
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
    scales: {
      x: {
        time: true,
        range: (_u, dataMin, dataMax) => {
          const [lo, hi] = xRange();
          const a = lo ?? dataMin;
          const b = hi ?? dataMax;
          return a < b ? [a, b] : [a - 60_000, a + 60_000];
        },
      },
      y: { range: (_u, _min, max) => [0, Math.max(1, max ?? 1) * 1.1] },
    },
    axes: [{ stroke: '#64748b', grid: { stroke: '#eef2f7' } }, { stroke: '#64748b', grid: { stroke: '#eef2f7' }, size: 48 }],
    series: [
      {},
      ...labels.map((label, i) => ({
        label: visibleText(label),
        stroke: PALETTE[i % PALETTE.length],
        width: 1.5,
        spanGaps: false,
        points: { show: false },
      })),
    ],
    plugins: [markerPlugin],
  };
  const plot = new uPlot(opts, data as uPlot.AlignedData, container);
  const resize = new ResizeObserver(() => {
    const w = Math.max(200, container.clientWidth);
    if (Math.abs(w - plot.width) > 2) plot.setSize({ width: w, height: 170 });
  });
  resize.observe(container);
  return {
    setData: (d) => plot.setData(d as uPlot.AlignedData),
    setMarkers: (m) => {
      markers = m;
      plot.redraw(false, false);
    },
    destroy: () => {
      resize.disconnect();
      plot.destroy();
    },
  };
}
