"use client";
// React access to the editor's stores. Components select the smallest slice they need so a
// change re-renders only what shows it (typing in the inspector re-renders one node, not the canvas).
import { createContext, useContext } from "react";
import { useStore } from "zustand";
import type { StoreApi } from "zustand/vanilla";
import type { LiveRunActions, LiveRunState, LiveRunStore } from "@/lib/canvas/run-state";
import type { EditorState } from "@/lib/canvas/store";

export const EditorStoreContext = createContext<StoreApi<EditorState> | null>(null);
export const RunStoreContext = createContext<LiveRunStore | null>(null);

export function useEditorApi(): StoreApi<EditorState> {
  const store = useContext(EditorStoreContext);
  if (!store) throw new Error("useEditor outside <EditorStoreContext>");
  return store;
}

export function useEditor<T>(selector: (s: EditorState) => T): T {
  return useStore(useEditorApi(), selector);
}

export function useRunApi(): LiveRunStore {
  const store = useContext(RunStoreContext);
  if (!store) throw new Error("useLiveRun outside <RunStoreContext>");
  return store;
}

export function useLiveRun<T>(selector: (s: LiveRunState & LiveRunActions) => T): T {
  return useStore(useRunApi(), selector);
}

/** Dev-only render counter used by the canvas benchmark (window.__sbRenders). */
export function countRender(name: string): void {
  if (typeof window === "undefined") return;
  const w = window as unknown as { __sbRenders?: Record<string, number> };
  if (!w.__sbRenders) return;
  w.__sbRenders[name] = (w.__sbRenders[name] ?? 0) + 1;
}
