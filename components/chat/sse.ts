// Reading server-sent events from a fetch() response body (EventSource cannot POST): frames are
// separated by a blank line; `event:` names the frame (default "message"), `data:` lines carry it.
export interface SseFrame {
  event: string;
  data: string;
}

/** Feeds text in, calls `onFrame` for each complete frame; keeps the incomplete rest. */
export function createSseParser(onFrame: (frame: SseFrame) => void): { push(text: string): void } {
  let buffer = "";
  return {
    push(text) {
      buffer += text.replace(/\r\n/g, "\n");
      let cut = buffer.indexOf("\n\n");
      while (cut >= 0) {
        const raw = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let event = "message";
        const data: string[] = [];
        for (const line of raw.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
        }
        if (data.length > 0) onFrame({ event, data: data.join("\n") });
        cut = buffer.indexOf("\n\n");
      }
    },
  };
}
