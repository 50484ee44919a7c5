"use client";
// The React Flow surface. Nodes and edges come from the editor store (controlled); changes go
// back through the store so each gesture becomes one undo point.
import { Background, Controls, MiniMap, type NodeMouseHandler, ReactFlow, useReactFlow, useStore } from "@xyflow/react";
import { memo, useCallback, useState } from "react";
import { initialFit } from "@/lib/canvas/initial-view";
import type { CanvasNode } from "@/lib/canvas/types";
import { isEntryType, visualFor } from "@/lib/nodes/canvas-registry";
import { countRender, useEditor, useEditorApi } from "./editor-context";
import { DRAG_MIME } from "./palette";
import { edgeTypes } from "./step-edge";
import { nodeTypes } from "./step-node";

const minimapColour = (n: { type?: string }) => visualFor(n.type).colour;

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
  const [fitViewOptions] = useState(() =>
    initialFit(api.getState().nodes, api.getState().edges, isEntryType, {
      // the canvas's size before it is laid out: the window minus the side panels
      width:
        typeof window === "undefined"
          ? 1000
          : Math.max(320, window.innerWidth - (window.innerWidth >= 1100 ? 600 : 300)),
      height: typeof window === "undefined" ? 700 : Math.max(320, window.innerHeight - 180),
    }),
  );
  // a narrow canvas (tablet portrait) has no room for the minimap: it would cover steps
  const narrow = useStore((s) => s.width > 0 && s.width < 700);

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
      {!narrow && <MiniMap pannable zoomable nodeColor={minimapColour} ariaLabel="Minimap" />}
      <Controls aria-label="Zoom controls" />
    </ReactFlow>
  );
});
