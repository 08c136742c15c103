// What the workshop hub sends: its wire contract (hub/server/contract.d.ts, types only).
export type {
  Band,
  BenchDistribution,
  HubBenchesResponse,
  HubMakersResponse,
  HubReferenceSetsResponse,
  HubReferenceSetVersion,
  HubReviewItem,
  HubReviewResponse,
  JudgedVerdict,
  MakerBenchRow,
  StationStatus,
} from '../../hub/server/contract.d.ts';
