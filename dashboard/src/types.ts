// Shapes of what the station sends (mirrors station/server/types.ts; the dashboard meets the
// station only over HTTP and socket.io, so it keeps its own copy of the contract).

export type Verdict = 'pass' | 'review' | 'fail' | 'unjudged';
export type BenchState = 'empty' | 'item' | 'steady' | 'inspecting' | 'waiting-empty';
export type Bands = { review: number; fail: number };

export interface InspectionView {
  id: number;
  inspectedAt: number;
  productId: string;
  productName: string;
  makerId: string | null;
  makerName: string | null;
  verdict: Verdict;
  score: number | null;
  bands: Bands | null;
  referenceSetId: number | null;
  frameUrl: string | null;
  heatmapUrl: string | null;
  nearest: { fileName: string; distance: number; url: string }[];
  reviewStatus: 'none' | 'pending' | 'confirmed_defect' | 'accepted_good';
  evidencePruned: boolean;
  error: string | null;
}

export interface Selection {
  productId: string | null;
  productName: string | null;
  makerId: string | null;
  makerName: string | null;
}

export interface Today {
  makerId: string | null;
  counts: Record<Verdict, number>;
  total: number;
}

export interface Hello {
  bench: BenchState;
  camera: 'up' | 'lost';
  productId: string | null;
  makerId: string | null;
  modelLoaded: boolean;
  selection: Selection;
  lastInspection: InspectionView | null;
  today: Today;
}

export interface ProductInfo {
  id: string;
  name: string;
  activeVersion: number | null;
  thresholds: Bands | null;
}

export type CalibrationEvent =
  | { productId: string; status: 'progress'; phase: string; done: number; total: number; message?: string }
  | { productId: string; status: 'done'; version: number; imageCount: number; thresholds: Bands; warnings?: string[] }
  | { productId: string; status: 'failed'; error: string };

export interface DriftResult {
  flagged: boolean;
  reasons: string[];
  recentN: number;
  recentMean: number | null;
  ownHistoryMean: number | null;
  workshopMean: number | null;
  spread: number | null;
  shiftVsOwn: number | null;
  shiftVsWorkshop: number | null;
}

export interface MakerGroup {
  makerId: string | null;
  makerName: string;
  productId: string;
  count: number;
  verdicts: Record<Verdict, number>;
  rates: { pass: number; review: number; fail: number } | null;
  histogram: { edges: number[]; counts: number[] };
  series: { t: number; score: number; verdict: Verdict }[];
  meanScore: number | null;
  drift: DriftResult;
}

export interface MakerStatsResponse {
  since: number;
  until: number;
  recentN: number;
  driftRule: string;
  products: { productId: string; productName: string; bands: Bands | null; referenceSetVersion: number | null; makers: MakerGroup[] }[];
}

export interface ReferenceSetVersion {
  id: number;
  version: number;
  isActive: boolean;
  imageCount: number;
  thresholds: Bands & { reviewInterval?: [number, number]; failInterval?: [number, number] };
  createdAt: number;
  warnings: string[];
  report: Record<string, unknown>;
}

export interface ReferenceSetsResponse {
  productId: string;
  productName: string;
  activeVersion: number | null;
  versions: ReferenceSetVersion[];
  acceptedFromReview: number;
  calibration: { startedBy: string; startedAt: number } | null;
}
