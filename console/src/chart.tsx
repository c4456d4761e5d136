/**
 * A chart, drawn by ECharts loaded on demand: `import("./echarts-setup")` is a dynamic import, so
 * the chart library is a chunk of its own, outside the first load (vite.config.ts's budget).
 */
import { useEffect, useRef } from "react";
import type { ChartSpec } from "./echarts-setup";

export function Chart({ spec, label }: { spec: ChartSpec; label: string }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let dispose: (() => void) | undefined;
    let live = true;
    void import("./echarts-setup").then((m) => {
      if (live && el.current) dispose = m.draw(el.current, spec);
    });
    return () => {
      live = false;
      dispose?.();
    };
  }, [spec]);
  return <div className="chart" ref={el} role="img" aria-label={label} data-testid="chart" />;
}
