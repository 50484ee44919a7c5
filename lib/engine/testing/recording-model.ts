/** A ModelGateway wrapper that records every request (tests look at what agents were sent). */
import type { ModelGateway, ModelRequest } from "@/lib/contracts/ports";

export interface RecordingModel extends ModelGateway {
  requests: Omit<ModelRequest, "signal">[];
}

export function recordingModel(inner: ModelGateway): RecordingModel {
  const requests: Omit<ModelRequest, "signal">[] = [];
  return {
    requests,
    generate(req) {
      const { signal: _s, ...rest } = req;
      requests.push(JSON.parse(JSON.stringify(rest)));
      return inner.generate(req);
    },
  };
}
