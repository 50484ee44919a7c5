"use client";
import { createContext, useContext } from "react";

export interface EditorActions {
  /** opens the palette to add a step after `nodeId` (connected from `handle`) */
  openPalette(from?: { nodeId: string; handle?: string | null }): void;
  /** shows a node's details (inspector, or step details during a run) */
  focusNode(id: string): void;
}

export const EditorActionsContext = createContext<EditorActions>({
  openPalette: () => {},
  focusNode: () => {},
});

export const useEditorActions = () => useContext(EditorActionsContext);
