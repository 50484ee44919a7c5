// What the canvas shows for one node type: an icon, a colour and the key facts of a config.
// Each node type provides one in lib/nodes/<type>/canvas.tsx; lib/nodes/canvas-registry.ts
// collects them in a Record<NodeTypeId, NodeVisual> so a missing type is a compile error.

export interface NodeVisual {
  /** SVG path data (24×24 viewBox, stroked) */
  icon: string;
  /** accent colour (CSS) used for the icon tile and the node's left border */
  colour: string;
  /** up to three short facts about the config, shown on the node */
  facts(config: Record<string, unknown>): string[];
}

export const str = (v: unknown, max = 48): string => {
  const s = typeof v === "string" ? v : v === undefined || v === null ? "" : JSON.stringify(v);
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
};

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function duration(ms: unknown): string {
  if (typeof ms !== "number" || !Number.isFinite(ms)) return "";
  if (ms % 86_400_000 === 0) return plural(ms / 86_400_000, "day");
  if (ms % 3_600_000 === 0) return plural(ms / 3_600_000, "hour");
  if (ms % 60_000 === 0) return plural(ms / 60_000, "minute");
  return `${Math.round(ms / 1000)} s`;
}

export function defineNodeVisual(v: NodeVisual): NodeVisual {
  return v;
}
