/** Capture-to-score on the bench's 2-core CPU that a product's configuration must stay within (product.json latencyBudgetMs). */
export const DEFAULT_LATENCY_BUDGET_MS = 60;
