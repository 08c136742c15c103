// The hub's wire contract: what the workshop hub's JSON API sends its dashboard pages. Types only, so the browser
// build (dashboard/, rootDir src) can `import type` it; its one import is the domain's words.

import type { Band, JudgedVerdict } from '../../station/shared/domain.d.ts';

export type { Band, JudgedVerdict };

/** GET /api/stations: each bench as the hub knows it. */
export interface StationStatus {
  station: string;
  /** From the retained birth message or the last will. */
  online: boolean;
  /** When the station said so (its clock), null before any status. */
  statusAt: number | null;
  firstSeenAt: number;
  /** The station-sequence of the newest event stored, null with none. */
  lastSeq: number | null;
  events: number;
  /** Sequence numbers below lastSeq not stored (yet): a resend in flight, or a loss. */
  missing: number;
  /** When the newest stored event was committed on the station (its clock). */
  lastEventAt: number | null;
  /** When the hub stored the most recently received event. */
  lastReceivedAt: number | null;
  /** How old that event was when it arrived (ms; received minus committed): large while a backlog drains. */
  lagMs: number | null;
  /** What the bench inspects now, and who works at it. */
  productId: string | null;
  makerId: string | null;
}

/** One borderline item waiting for a lead, with its thumbnails from the hub's database. */
export interface HubReviewItem {
  station: string;
  id: number;
  inspectedAt: number;
  productId: string;
  makerId: string | null;
  score: number | null;
  band: Band | null;
  referenceSetId: number | null;
  frameUrl: string | null;
  heatmapUrl: string | null;
}

/** GET /api/review. */
export interface HubReviewResponse {
  total: number;
  items: HubReviewItem[];
}

/** One maker's inspections of one product at one bench. */
export interface MakerBenchRow {
  productId: string;
  makerId: string | null;
  station: string;
  count: number;
  counts: Record<JudgedVerdict | 'unjudged', number>;
  /** Shares of the judged items (pass + review + fail), null with none judged. */
  rates: Record<JudgedVerdict, number> | null;
  medianScore: number | null;
}

/** GET /api/makers. */
export interface HubMakersResponse {
  since: number;
  rows: MakerBenchRow[];
}

/** One bench's recent scores of one product. */
export interface BenchDistribution {
  station: string;
  n: number;
  /** 10th, 25th, 50th, 75th and 90th percentiles, null when the bench has no score. */
  quantiles: { p10: number; p25: number; median: number; p75: number; p90: number } | null;
  /** Counts per bin of the product's shared edges. */
  counts: number[];
  /** The other benches' pooled scores: their median and interquartile range, null when too few. */
  others: { n: number; median: number; iqr: number } | null;
  /** How far this bench's median sits from the others', in their interquartile ranges. */
  departure: number | null;
  flagged: boolean;
  band: Band | null;
}

/** GET /api/benches. */
export interface HubBenchesResponse {
  window: number;
  minScores: number;
  rule: string;
  products: { productId: string; edges: number[]; benches: BenchDistribution[] }[];
}

/** One reference-set version on one bench. */
export interface HubReferenceSetVersion {
  station: string;
  id: number;
  version: number;
  imageCount: number;
  band: Band;
  scoreKind: string;
  backboneId: string | null;
  modelSha256: string;
  format: number;
  createdAt: number;
  active: boolean;
}

/** GET /api/reference-sets. */
export interface HubReferenceSetsResponse {
  products: {
    productId: string;
    /** Which version each bench judges by now (null: none active there). */
    activeByStation: { station: string; version: number | null }[];
    versions: HubReferenceSetVersion[];
  }[];
}
