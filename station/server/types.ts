// The server's boundary: what it needs from the station (StationControl) and from the store,
// and the shapes of the events it pushes. The composition (station/app.ts) supplies both.
import type { InspectionsRepo } from '../store/repositories/inspections.ts';
import type { ReviewsRepo } from '../store/repositories/reviews.ts';
import type { ReferenceSetsRepo } from '../store/repositories/referenceSets.ts';
import type { UsersRepo } from '../store/repositories/users.ts';
import type { MakersRepo } from '../store/repositories/makers.ts';
import type { ProductsRepo } from '../store/repositories/products.ts';
import type { CalibrationImagesRepo } from '../store/repositories/calibrationImages.ts';

import type {
  BenchState,
  CalibrationEvent,
  CalibrationOutcome,
  CalibrationProgress,
  CameraState,
  InspectionView,
  NetworkState,
  Selection,
  StationState,
} from './contract.d.ts';

// The shapes sent to the dashboard live in the wire contract; re-exported for the server's modules.
export type * from './contract.d.ts';

/**
 * What the server may ask of the running station. Methods throw an Error whose message is meant
 * for the person (e.g. "product 'tile' has no active reference set"): the server answers 409 with it.
 */
export interface StationControl {
  currentState(): StationState;
  /** Inspect what is on the bench now, without waiting for the trigger. */
  manualTrigger(): Promise<void> | void;
  /**
   * Change the product, the maker (null clears it: items are then recorded with no maker), or both, as one change:
   * the station announces it once (socket `selection`), so the caller does not.
   */
  select(change: { productId?: string; makerId?: string | null }): Promise<void> | void;
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
  reviews: Pick<ReviewsRepo, 'add' | 'forInspection' | 'conflict'>;
  referenceSets: Pick<ReferenceSetsRepo, 'list' | 'active' | 'get' | 'getVersion'>;
  users: Pick<UsersRepo, 'get'>;
  makers: Pick<MakersRepo, 'list' | 'get'>;
  products: Pick<ProductsRepo, 'list' | 'get'>;
  calibrationImages: Pick<CalibrationImagesRepo, 'list' | 'bySha' | 'withdrawn'>;
}

// ---- event payloads (socket.io event name → payload) ----

export interface ServerEvents {
  bench: { state: BenchState; at: number };
  inspection: InspectionView;
  camera: { state: CameraState; at: number; reason?: string };
  calibration: CalibrationEvent;
  selection: Selection;
  'reference-set': { productId: string; activeVersion: number };
  devices: StationState['devices'];
  network: NetworkState;
}
