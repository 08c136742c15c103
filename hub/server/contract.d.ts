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
  /** The newest decision a lead sent from the hub, and how far it got; null with none. */
  request: HubReviewRequest | null;
}

export type HubReviewAction = 'confirm_defect' | 'accept_good' | 'note';

/**
 * A decision sent to the bench: 'sent' until the bench answers, 'recorded' when its review event arrived (a decision
 * also moves the item off the pending list), 'refused' with the bench's reason.
 */
export interface HubReviewRequest {
  action: HubReviewAction;
  note: string | null;
  /** As the bench records it: "<lead>@hub". */
  userName: string;
  state: 'sent' | 'recorded' | 'refused';
  sentAt: number | null;
  updatedAt: number;
  reason: string | null;
}

/** A refused decision on an item that no longer waits (decided at the bench meanwhile, or unknown there). */
export interface HubRefusedDecision extends HubReviewRequest {
  station: string;
  inspectionId: number;
}

/** GET /api/review. */
export interface HubReviewResponse {
  total: number;
  items: HubReviewItem[];
  /** The newest refusals of items not in `items`, under the same station filter. */
  refused: HubRefusedDecision[];
}

/** POST /api/review/:station/:id: sent to the bench (202); the bench's answer arrives through its events. */
export interface ReviewDecisionAnswer {
  station: string;
  inspectionId: number;
  action: HubReviewAction;
  userName: string;
  state: 'sent';
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

/** A reference-set file the hub holds (the first bench to report it is its source), named by its sha256. */
export interface HeldReferenceSet {
  sha256: string;
  productId: string;
  sourceStation: string;
  sourceVersion: number;
  band: Band;
  backboneId: string | null;
  modelSha256: string;
  /** The file's size. */
  bytes: number;
  receivedAt: number;
}

/** GET /api/reference-sets/held: what the lead can publish, newest first per product. */
export interface HeldReferenceSetsResponse {
  sets: HeldReferenceSet[];
}

/** A publication's way to one bench: sent → received or refused → checked → active. */
export type DeliveryState = 'sent' | 'received' | 'refused' | 'checked' | 'active';

/** The bench check of a received set: its good images on that bench, judged with the set. */
export interface BenchCheckSummary {
  /** False: it could not check (no good images there, the check failed); `reason` says why. */
  checked: boolean;
  reason: string | null;
  goodImages: number;
  /** The share of those good images judged review or fail. */
  falseAlarmRate: number | null;
  failRate: number | null;
  /** The range the band's own rates allow on this many images. */
  expected: { falseAlarmRate: [number, number]; failRate: [number, number] } | null;
  /** Within the expected range; null when not checked. */
  ok: boolean | null;
}

export interface ReferenceSetDelivery {
  sha256: string;
  state: DeliveryState;
  /** The station's version number for it, once it kept it. */
  localVersion: number | null;
  sentAt: number;
  updatedAt: number;
  activateSentAt: number | null;
  /** Why it was refused, or why it could not be checked or activated. */
  reason: string | null;
  check: BenchCheckSummary | null;
}

/** One bench's reference sets of one product. */
export interface BenchReferenceSets {
  stationId: string;
  online: boolean;
  productId: string;
  /** What the bench judges this product by now (null: no active version). */
  active: { version: number; sha256: string | null } | null;
  deliveries: ReferenceSetDelivery[];
}

/** GET /api/reference-sets/benches. */
export type BenchReferenceSetsResponse = BenchReferenceSets[];

/** POST /api/reference-sets/publish. */
export interface PublishRequest {
  sha256: string;
  stations: string[];
}
/** Its 202 answer: the benches the command was sent to. */
export interface PublishAnswer {
  productId: string;
  sha256: string;
  sentTo: string[];
}

/** POST /api/reference-sets/activate. */
export interface ActivateRequest {
  sha256: string;
  station: string;
}
/** Its 202 answer: the bench's own version number of the set. */
export interface ActivateAnswer {
  station: string;
  productId: string;
  version: number;
}
