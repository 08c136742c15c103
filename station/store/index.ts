// The station's record: one import for the rest of the service.
export { openStore, ensureWritableFolder, STORE_FILE, OUTBOX_KEEP_SENT_DAYS, type Store } from './db.ts';
export { migrations, latestSchemaVersion, currentSchemaVersion, type Migration } from './migrations.ts';
export {
  writeEvidence,
  resolveEvidence,
  pruneEvidence,
  retentionCutoff,
  evidenceRoot,
  type EvidenceKind,
  type PruneResult,
} from './evidence.ts';
export type { Product, ProductInput } from './repositories/products.ts';
export type { Maker, MakerInput } from './repositories/makers.ts';
export type { ReferenceSetVersion, StoredBand, AddVersionInput } from './repositories/referenceSets.ts';
export type {
  Inspection,
  RecordInspectionInput,
  InspectionFilter,
  ListOptions,
  ReviewStatus,
  VerdictCounts,
  MakerStats,
  ScorePoint,
  NearestReference,
} from './repositories/inspections.ts';
export type { Review, ReviewAction, AddReviewInput, AddReviewResult } from './repositories/reviews.ts';
export type { CalibrationImage, CalibrationImageInput, CalibrationSource } from './repositories/calibrationImages.ts';
export type { User, UserRole } from './repositories/users.ts';
export type { OutboxEntry, OutboxKind, OutboxBacklog } from './repositories/outbox.ts';
