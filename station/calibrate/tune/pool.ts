/** The backbones self-tuning chooses among, cheapest first, and the default latency budget. */
export const BACKBONE_POOL = ['mobilenet_v2-features', 'inception_v3-features'];

/** Capture-to-score on the bench's 2-core CPU that a product's configuration must stay within (product.json latencyBudgetMs). */
export const DEFAULT_LATENCY_BUDGET_MS = 60;
