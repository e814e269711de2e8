// Risk assessment after Socialstyrelsen: probability (1–4) × consequence (1–4) gives the risk value (1–16) that
// decides whether an event analysis (händelseanalys) should be considered. Severity (grön/gul/röd) stays beside it.

export const RISK_MIN = 1;
export const RISK_MAX = 4;

/**
 * The default threshold: from this risk value on (score ≥ threshold), the card and the summary suggest an event
 * analysis. 8 is where the matrix's high band begins (8, 9, 12, 16: likely and serious, or certain and noticeable).
 */
export const DEFAULT_EVENT_ANALYSIS_THRESHOLD = 8;

export interface Risk {
  probability: number | null;
  consequence: number | null;
  /** probability × consequence, null until both are set (computed by the case query, src/store/cases.ts). */
  score: number | null;
}

export function isRiskLevel(n: number): boolean {
  return Number.isInteger(n) && n >= RISK_MIN && n <= RISK_MAX;
}
