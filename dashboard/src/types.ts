// Shapes of what the station sends. The shared ones come from the wire contract
// (station/server/contract.d.ts, a types-only file, so nothing of the server reaches the browser
// build); the rest are the JSON answers only the dashboard reads.

import type { Band, MakerProductStats } from '../../station/server/contract.d.ts';

export type {
  Band,
  BenchState,
  CalibrationEvent,
  DriftResult,
  Hello,
  InspectionView,
  JudgedVerdict,
  NetworkState,
  Selection,
  Today,
  Verdict,
} from '../../station/server/contract.d.ts';

export interface ProductInfo {
  id: string;
  name: string;
  activeVersion: number | null;
  band: Band | null;
}

/** One maker's figures for one product, with the maker's name resolved. */
export interface MakerGroup extends MakerProductStats {
  makerName: string;
}

export interface MakerStatsResponse {
  since: number;
  until: number;
  recentN: number;
  driftRule: string;
  products: {
    productId: string;
    productName: string;
    band: Band | null;
    referenceSetVersion: number | null;
    makers: MakerGroup[];
  }[];
}

export interface ReferenceSetVersion {
  id: number;
  version: number;
  isActive: boolean;
  imageCount: number;
  /** The version's tolerance band, with the 95 % interval of each edge when calibration measured it. */
  band: Band & { reviewAtInterval?: [number, number]; failAtInterval?: [number, number] };
  createdAt: number;
  warnings: string[];
  /** Good images this set learned that a later review confirmed defective. */
  confirmedDefective: { name: string; reason: string }[];
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
