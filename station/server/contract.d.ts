// The wire contract: shapes the station's server sends the dashboard over HTTP and socket.io.
// One copy for both sides. It is a declaration file (types only) so the browser build
// (dashboard/tsconfig.json, rootDir src) can `import type` it without compiling server code.
// Its one import is the domain's words (station/shared/domain.d.ts: types only, importing nothing), so the
// wire says what the code says. skipLibCheck skips .d.ts files, so tests/server/contract.test.ts
// type-checks this file with that one import and nothing else.

import type { Band, JudgedVerdict, Verdict } from '../shared/domain.d.ts';

/** Band: a product's tolerance band, strict (a score above `reviewAt` goes to review, above `failAt` fails). */
export type { Band, JudgedVerdict, Verdict };
export type ReviewStatus = 'none' | 'pending' | 'confirmed_defect' | 'accepted_good';
export type BenchState = 'empty' | 'item' | 'steady' | 'inspecting' | 'waiting-empty';
/** 'ended': a replay that does not loop has played its last item. */
export type CameraState = 'up' | 'lost' | 'ended';

/** The bench's link to the workshop network: what waits in its outbox, and since when. */
export interface NetworkState {
  station: string;
  connected: boolean;
  /** Committed records not yet acknowledged by the broker. */
  backlog: number;
  /** When the oldest of them was committed (ms epoch), null with none. */
  oldestUnsentAt: number | null;
  lastError: string | null;
}

export interface StationState {
  bench: BenchState;
  camera: CameraState;
  productId: string | null;
  makerId: string | null;
  /** The backbone is loaded and the selected product has an active reference set. */
  modelLoaded: boolean;
  /** Each configured serial device ('stack light', 'barcode scanner') and whether it is connected. */
  devices: Record<string, 'connected' | 'disconnected'>;
  /** null: the bench is on its own (no network configured). */
  network: NetworkState | null;
}

export interface NearestView {
  fileName: string;
  distance: number;
  /** URL of the reference image, served from the calibration folder. */
  url: string;
}

export interface InspectionView {
  id: number;
  inspectedAt: number;
  productId: string;
  productName: string;
  makerId: string | null;
  makerName: string | null;
  verdict: Verdict;
  score: number | null;
  /** The tolerance band the item was judged by; null when it had none. */
  band: Band | null;
  referenceSetId: number | null;
  frameUrl: string | null;
  heatmapUrl: string | null;
  nearest: NearestView[];
  reviewStatus: ReviewStatus;
  timings: Record<string, number>;
  evidencePruned: boolean;
  error: string | null;
}

/** The product and maker in use, with their names resolved. */
export interface Selection {
  productId: string | null;
  productName: string | null;
  makerId: string | null;
  makerName: string | null;
}

/** Today's verdict counts for one maker (all products), or for items with no maker. */
export interface Today {
  makerId: string | null;
  counts: Record<Verdict, number>;
  total: number;
}

/** Everything a dashboard needs on connect (socket `hello`, GET /api/state). */
export interface Hello extends StationState {
  selection: Selection;
  lastInspection: InspectionView | null;
  today: Today;
}

export interface CalibrationProgress {
  /** e.g. 'embed good', 'held-out scoring', 'reference set', 'write' — whatever the calibrator reports. */
  phase: string;
  done: number;
  total: number;
  message?: string;
}

export interface CalibrationOutcome {
  version: number;
  imageCount: number;
  band: Band;
  /** Messages worth showing the lead (coverage, skipped files, duplicates). */
  warnings?: string[];
}

export type CalibrationEvent =
  | ({ productId: string; status: 'progress' } & CalibrationProgress)
  | ({ productId: string; status: 'done' } & CalibrationOutcome)
  | { productId: string; status: 'failed'; error: string };

/** The drift flag for one maker and product (rule: station/makers/drift.ts DRIFT_RULE). */
export interface DriftResult {
  flagged: boolean;
  /** Human-readable reasons, empty when not flagged. */
  reasons: string[];
  recentN: number;
  recentMean: number | null;
  ownHistoryMean: number | null;
  workshopMean: number | null;
  spread: number | null;
  /** (recentMean − reference mean) / spread, or null when not comparable. */
  shiftVsOwn: number | null;
  shiftVsWorkshop: number | null;
}

/** Figures for one maker and product on the Makers page. */
export interface MakerProductStats {
  makerId: string | null;
  productId: string;
  count: number;
  verdicts: Record<Verdict, number>;
  /** Shares of judged items (0..1); null when nothing was judged. */
  rates: Record<JudgedVerdict, number> | null;
  histogram: { edges: number[]; counts: number[] };
  series: { t: number; score: number; verdict: Verdict }[];
  meanScore: number | null;
  drift: DriftResult;
  /** The maker's review and fail rates against the product's target rates (product.json tolerance). */
  target: TargetComparison;
}

/** A rate is "above" its target only when even its 95 % lower bound (Wilson) is: a few unlucky items do not flag. */
export interface TargetComparison {
  /** Judged items the rates rest on. */
  n: number;
  review: { rate: number; target: number; above: boolean };
  fail: { rate: number; target: number; above: boolean };
}
