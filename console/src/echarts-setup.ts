/** ECharts, tree-shaken to what the console draws: bar charts on a canvas. Loaded on demand (chart.tsx). */
import { BarChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

export interface ChartSpec {
  readonly categories: readonly string[];
  readonly series: readonly { name: string; values: readonly number[]; stack?: string }[];
}

export function draw(el: HTMLElement, spec: ChartSpec): () => void {
  const chart = echarts.init(el, undefined, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis", valueFormatter: (v: unknown) => `$${Number(v).toFixed(2)}` },
    legend: { type: "scroll", bottom: 0 },
    grid: { left: 56, right: 16, top: 16, bottom: 48 },
    xAxis: { type: "category", data: [...spec.categories] },
    yAxis: { type: "value", axisLabel: { formatter: (v: number) => `$${v}` } },
    series: spec.series.map((s) => ({
      type: "bar",
      name: s.name,
      stack: s.stack,
      data: [...s.values],
    })),
  });
  const onResize = () => chart.resize();
  window.addEventListener("resize", onResize);
  return () => {
    window.removeEventListener("resize", onResize);
    chart.dispose();
  };
}
