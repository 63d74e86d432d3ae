import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { SVGRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export interface Series {
  name: string;
  values: number[];
}

/** A stacked bar or line chart over dates; SVG, so it scales and stays crisp on phones. */
export function TimeChart({
  title,
  dates,
  series,
  kind,
  rtl,
}: {
  title: string;
  dates: string[];
  series: Series[];
  kind: "bar" | "line";
  rtl: boolean;
}) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!element.current) return;
    const chart = echarts.init(element.current, undefined, { renderer: "svg" });
    chart.setOption({
      aria: { enabled: true, label: { description: title } },
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 32, bottom: 32 },
      xAxis: { type: "category", data: dates, inverse: rtl },
      yAxis: { type: "value", position: rtl ? "right" : "left" },
      series: series.map((item) => ({
        name: item.name,
        type: kind,
        stack: kind === "bar" ? "total" : undefined,
        data: item.values,
        smooth: kind === "line",
      })),
    });
    const resize = () => chart.resize();
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      chart.dispose();
    };
  }, [title, dates, series, kind, rtl]);
  return <div className="chart" ref={element} role="img" aria-label={title} />;
}
