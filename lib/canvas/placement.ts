// Where a new step goes when nothing tells us: the point asked for (the middle of the view) if
// it is free, otherwise the nearest free spot around it, so a new step never lands on top of
// another one.
import type { CanvasNode } from "./types";

export const STEP_W = 240;
export const STEP_H = 96;
const GAP = 24;

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

const overlaps = (a: Rect, b: Rect) =>
  a.x < b.x + b.w + GAP && b.x < a.x + a.w + GAP && a.y < b.y + b.h + GAP && b.y < a.y + a.h + GAP;

function rectOf(n: CanvasNode): Rect {
  return {
    x: n.position.x,
    y: n.position.y,
    w: n.measured?.width ?? n.width ?? STEP_W,
    h: n.measured?.height ?? n.height ?? STEP_H,
  };
}

/**
 * The top-left corner for a new step of `size` near `preferred` (also a top-left corner) that
 * overlaps no node. Searches rings of candidate positions around `preferred`, nearest first.
 */
export function freeSpot(
  nodes: readonly CanvasNode[],
  preferred: { x: number; y: number },
  size: { w: number; h: number } = { w: STEP_W, h: STEP_H },
): { x: number; y: number } {
  const rects = nodes.map(rectOf);
  const free = (p: { x: number; y: number }) => !rects.some((r) => overlaps(r, { ...p, ...size }));
  const start = { x: Math.round(preferred.x), y: Math.round(preferred.y) };
  if (free(start)) return start;
  const stepX = size.w / 2 + GAP;
  const stepY = size.h / 2 + GAP;
  for (let ring = 1; ring <= 40; ring++) {
    const candidates: { x: number; y: number }[] = [];
    for (let i = -ring; i <= ring; i++) {
      for (let j = -ring; j <= ring; j++) {
        if (Math.max(Math.abs(i), Math.abs(j)) !== ring) continue;
        candidates.push({ x: start.x + i * stepX, y: start.y + j * stepY });
      }
    }
    candidates.sort(
      (a, b) => Math.hypot(a.x - start.x, a.y - start.y) - Math.hypot(b.x - start.x, b.y - start.y) || a.y - b.y,
    );
    const hit = candidates.find(free);
    if (hit) return { x: Math.round(hit.x), y: Math.round(hit.y) };
  }
  // a very crowded canvas: below everything
  const bottom = Math.max(...rects.map((r) => r.y + r.h));
  return { x: start.x, y: bottom + GAP * 2 };
}
