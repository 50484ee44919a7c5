"use client";
// A horizontal bar chart of labelled values (cost by workflow, failures by node, …). Clicking a
// bar opens the runs it counts.
import { useRouter } from "next/navigation";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatCost, formatTokens } from "@/components/runs/format";

export interface BarItem {
  label: string;
  value: number;
  href: string;
}

export type ValueFormat = "usd" | "tokens" | "count";

function fmt(format: ValueFormat, v: number): string {
  if (format === "usd") return formatCost(v);
  if (format === "tokens") return formatTokens(v);
  return v.toLocaleString("en-US");
}

export function BarListChart({
  data,
  format,
  unit,
  color = "#2563eb",
}: {
  data: BarItem[];
  format: ValueFormat;
  /** axis label, e.g. "cost (USD)" */
  unit: string;
  color?: string;
}) {
  const router = useRouter();
  const height = Math.max(120, data.length * 32 + 48);
  return (
    <div className="w-full" style={{ height }}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 24, bottom: 20, left: 8 }} accessibilityLayer>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis
            type="number"
            tick={{ fontSize: 12 }}
            tickFormatter={(v: number) => fmt(format, v)}
            allowDecimals={format === "usd"}
            label={{ value: unit, position: "insideBottom", offset: -12, fontSize: 12 }}
          />
          <YAxis type="category" dataKey="label" tick={{ fontSize: 12 }} width={180} interval={0} />
          <Tooltip formatter={(v) => fmt(format, Number(v))} />
          <Bar
            dataKey="value"
            name={unit}
            fill={color}
            cursor="pointer"
            isAnimationActive={false}
            onClick={(entry) => {
              const p = entry.payload as BarItem | undefined;
              if (p) router.push(p.href);
            }}
          />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
