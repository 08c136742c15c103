/** ONNX Runtime options for every CPU session the station opens (backbone, feature head, kNN graph). */
import type { InferenceSession } from 'onnxruntime-node';

export interface CpuSessionChoice {
  /** Intra-op threads; ORT's own default (every core) when unset. */
  threads?: number;
  /** Let worker threads busy-wait between runs. Off by default: on a 2-core bench, threads spinning after one
   *  session's run steal the cores the next session (or capture, or the server) needs; spinning tripled
   *  MobileNetV2 latency with other work running (scripts/bench-model.ts). */
  spinning?: boolean;
}

export function cpuSessionOptions(choice: CpuSessionChoice = {}): InferenceSession.SessionOptions {
  return {
    graphOptimizationLevel: 'all',
    ...(choice.threads ? { intraOpNumThreads: choice.threads } : {}),
    extra: { session: { intra_op: { allow_spinning: choice.spinning ? '1' : '0' } } },
  };
}
