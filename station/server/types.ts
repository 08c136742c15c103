// The server's boundary: what it needs from the station (StationControl) and from the store,
// and the shapes of the events it pushes. The composition (station/app.ts) supplies both.
import type { InspectionsRepo, Inspection } from '../store/repositories/inspections.ts';
import type { ReviewsRepo } from '../store/repositories/reviews.ts';
import type { ReferenceSetsRepo } from '../store/repositories/referenceSets.ts';
import type { UsersRepo } from '../store/repositories/users.ts';
import type { MakersRepo } from '../store/repositories/makers.ts';
import type { ProductsRepo } from '../store/repositories/products.ts';
import type { CalibrationImagesRepo } from '../store/repositories/calibrationImages.ts';

export type BenchState = 'empty' | 'item' | 'steady' | 'inspecting' | 'waiting-empty';
export type CameraState = 'up' | 'lost';

export interface StationState {
  bench: BenchState;
  camera: CameraState;
  productId: string | null;
  makerId: string | null;
  /** The backbone is loaded and the selected product has an active reference set. */
  modelLoaded: boolean;
}

export interface CalibrationProgress {
  /** e.g. 'embedding', 'bank', 'bands', 'saving' — whatever the calibrator reports. */
  phase: string;
  done: number;
  total: number;
  message?: string;
}

export interface CalibrationOutcome {
  version: number;
  imageCount: number;
  thresholds: { review: number; fail: number };
  /** Messages worth showing the lead (coverage, skipped files, duplicates). */
  warnings?: string[];
}

/**
 * What the server may ask of the running station. Methods throw an Error whose message is meant
 * for the person (e.g. "product 'tile' has no active reference set"): the server answers 409 with it.
 */
export interface StationControl {
  currentState(): StationState;
  /** Inspect what is on the bench now, without waiting for the trigger. */
  manualTrigger(): Promise<void> | void;
  selectProduct(productId: string): Promise<void> | void;
  /** null clears the maker (items are then recorded with no maker). */
  selectMaker(makerId: string | null): Promise<void> | void;
  /** Build a new reference-set version; resolves when it is stored (not yet active). */
  startCalibration(productId: string, onProgress: (p: CalibrationProgress) => void): Promise<CalibrationOutcome>;
  /** Make a stored version the one used for inspections (activation and roll back alike). */
  activateReferenceSet(productId: string, version: number): Promise<void> | void;
  /** The most recent camera frame as JPEG, or null before the first frame / while the camera is lost. */
  latestFrameJpeg(): Promise<Buffer | null> | Buffer | null;
}

/** The store repositories the server reads and writes (a subset of station/store's Store). */
export interface ServerStore {
  inspections: Pick<InspectionsRepo, 'list' | 'get' | 'count' | 'countsByVerdict' | 'makerStats'>;
  reviews: Pick<ReviewsRepo, 'add' | 'forInspection'>;
  referenceSets: Pick<ReferenceSetsRepo, 'list' | 'active' | 'get' | 'getVersion'>;
  users: Pick<UsersRepo, 'get'>;
  makers: Pick<MakersRepo, 'list' | 'get'>;
  products: Pick<ProductsRepo, 'list' | 'get'>;
  calibrationImages: Pick<CalibrationImagesRepo, 'list' | 'bySha'>;
}

export interface Logger {
  info(msg: string, extra?: Record<string, unknown>): void;
  warn(msg: string, extra?: Record<string, unknown>): void;
  error(msg: string, extra?: Record<string, unknown>): void;
}

// ---- event payloads (socket.io event name → payload) ----

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
  verdict: Inspection['verdict'];
  score: number | null;
  bands: { review: number; fail: number } | null;
  referenceSetId: number | null;
  frameUrl: string | null;
  heatmapUrl: string | null;
  nearest: NearestView[];
  reviewStatus: Inspection['reviewStatus'];
  timings: Record<string, number>;
  evidencePruned: boolean;
  error: string | null;
}

export type CalibrationEvent =
  | ({ productId: string; status: 'progress' } & CalibrationProgress)
  | ({ productId: string; status: 'done' } & CalibrationOutcome)
  | { productId: string; status: 'failed'; error: string };

export interface SelectionEvent {
  productId: string | null;
  productName: string | null;
  makerId: string | null;
  makerName: string | null;
}

export interface ServerEvents {
  bench: { state: BenchState; at: number };
  inspection: InspectionView;
  camera: { state: CameraState; at: number; reason?: string };
  calibration: CalibrationEvent;
  selection: SelectionEvent;
  'reference-set': { productId: string; activeVersion: number };
}
