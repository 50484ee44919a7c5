"use client";
// The React Flow surface. Nodes and edges come from the editor store (controlled); changes go
// back through the store so each gesture becomes one undo point.
import { Background, Controls, MiniMap, type NodeMouseHandler, ReactFlow, useReactFlow } from "@xyflow/react";
import { memo, useCallback, useState } from "react";
import type { CanvasNode } from "@/lib/canvas/types";
import { isEntryType, visualFor } from "@/lib/nodes/canvas-registry";
import { countRender, useEditor, useEditorApi } from "./editor-context";
import { DRAG_MIME } from "./palette";
import { edgeTypes } from "./step-edge";
import { nodeTypes } from "./step-node";

const minimapColour = (n: { type?: string }) => visualFor(n.type).colour;
/** Above this many nodes the canvas opens on the start of the workflow instead of fitting everything. */
const LARGE = 150;

/** The first view: the whole workflow, or for a large one the trigger and the ~25 steps after it. */
function initialFit(nodes: readonly CanvasNode[], edges: readonly { source: string; target: string }[]) {
  if (nodes.length <= LARGE) return { padding: 0.2, maxZoom: 1 };
  const start = nodes.find((n) => isEntryType(n.type)) ?? nodes[0];
  const seen = new Set([start.id]);
  const queue = [start.id];
  while (queue.length && seen.size < 25) {
    const id = queue.shift()!;
    for (const e of edges) {
      if (e.source === id && !seen.has(e.target) && seen.size < 25) {
        seen.add(e.target);
        queue.push(e.target);
      }
    }
  }
  return { padding: 0.1, maxZoom: 1, nodes: [...seen].map((id) => ({ id })) };
}

export const FlowCanvas = memo(function FlowCanvas({
  readOnly,
  onNodeClick,
  onAddAt,
}: {
  readOnly: boolean;
  onNodeClick(id: string): void;
  onAddAt(type: string, position: { x: number; y: number }): void;
}) {
  countRender("canvas");
  const api = useEditorApi();
  const nodes = useEditor((s) => s.nodes);
  const edges = useEditor((s) => s.edges);
  const { screenToFlowPosition } = useReactFlow();
  const [fitViewOptions] = useState(() => initialFit(api.getState().nodes, api.getState().edges));

  const onDragOver = useCallback((e: React.DragEvent) => {
    if (e.dataTransfer.types.includes(DRAG_MIME)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = "move";
    }
  }, []);
  const onDrop = useCallback(
    (e: React.DragEvent) => {
      const type = e.dataTransfer.getData(DRAG_MIME);
      if (!type || readOnly) return;
      e.preventDefault();
      const p = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      onAddAt(type, { x: Math.round(p.x - 120), y: Math.round(p.y - 40) });
    },
    [screenToFlowPosition, onAddAt, readOnly],
  );
  const handleNodeClick: NodeMouseHandler<CanvasNode> = useCallback((_, node) => onNodeClick(node.id), [onNodeClick]);
  const state = api.getState();

  return (
    <ReactFlow<CanvasNode>
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      edgeTypes={edgeTypes}
      onNodesChange={state.onNodesChange}
      onEdgesChange={state.onEdgesChange}
      onConnect={state.onConnect}
      onNodeClick={handleNodeClick}
      onDragOver={onDragOver}
      onDrop={onDrop}
      nodesDraggable={!readOnly}
      nodesConnectable={!readOnly}
      deleteKeyCode={null}
      onlyRenderVisibleElements={nodes.length > 150}
      minZoom={0.05}
      maxZoom={2}
      fitView
      fitViewOptions={fitViewOptions}
      aria-label="Workflow canvas"
    >
      <Background gap={24} />
      <MiniMap pannable zoomable nodeColor={minimapColour} ariaLabel="Minimap" />
      <Controls aria-label="Zoom controls" />
    </ReactFlow>
  );
});
