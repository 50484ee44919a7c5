"use client";
// Time-series charts of the dashboard. Clicking a bar opens the runs it counts (the runs list
// with the same filters in the URL); every chart also has a table view with the same links.
import { useRouter } from "next/navigation";
import {
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { formatCost, formatTokens, STATUS_COLORS } from "@/components/runs/format";

export interface StatusPoint {
  bucket: string;
  label: string;
  href: string;
  hrefs: Record<string, string>;
  [status: string]: string | number | Record<string, string>;
}

export function StatusOverTimeChart({ data, statuses }: { data: StatusPoint[]; statuses: string[] }) {
  const router = useRouter();
  return (
    <div className="h-72 w-full">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }} accessibilityLayer>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" tick={{ fontSize: 12 }} minTickGap={16} />
          <YAxis
            allowDecimals={false}
            tick={{ fontSize: 12 }}
            width={48}
            label={{ value: "runs", angle: -90, position: "insideLeft", fontSize: 12 }}
          />
          <Tooltip />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {statuses.map((s) => (
            <Bar
              key={s}
              dataKey={s}
              name={s}
              stackId="status"
              fill={STATUS_COLORS[s] ?? "#64748b"}
              cursor="pointer"
              isAnimationActive={false}
              onClick={(entry) => {
                const p = entry.payload as StatusPoint | undefined;
                if (p) router.push(p.hrefs[s] ?? p.href);
              }}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

export interface UsagePoint {
  bucket: string;
  label: string;
  href: string;
  costUsd: number;
  tokens: number;
}

export function UsageOverTimeChart({ data }: { data: UsagePoint[] }) {
  const router = useRouter();
  return (
    <div className="h-72 w-full">
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 8, left: 8 }} accessibilityLayer>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" tick={{ fontSize: 12 }} minTickGap={16} />
          <YAxis
            yAxisId="cost"
            tick={{ fontSize: 12 }}
            width={64}
            tickFormatter={(v: number) => formatCost(v)}
            label={{ value: "cost (USD)", angle: -90, position: "insideLeft", fontSize: 12 }}
          />
          <YAxis
            yAxisId="tokens"
            orientation="right"
            tick={{ fontSize: 12 }}
            width={56}
            tickFormatter={(v: number) => formatTokens(v)}
            label={{ value: "tokens", angle: 90, position: "insideRight", fontSize: 12 }}
          />
          <Tooltip
            formatter={(value, name) =>
              name === "Cost" ? formatCost(Number(value)) : `${formatTokens(Number(value))} tokens`
            }
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Bar
            yAxisId="tokens"
            dataKey="tokens"
            name="Tokens"
            fill="#93c5fd"
            cursor="pointer"
            isAnimationActive={false}
            onClick={(entry) => {
              const p = entry.payload as UsagePoint | undefined;
              if (p) router.push(p.href);
            }}
          />
          <Line
            yAxisId="cost"
            dataKey="costUsd"
            name="Cost"
            stroke="#1d4ed8"
            strokeWidth={2}
            dot={false}
            type="monotone"
            isAnimationActive={false}
          />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
