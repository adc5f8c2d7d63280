/** Reasons a whole message is rejected by the decoder (bounded set; telemetry tag `reason`). */
export const REJECT_REASONS = ['too_large', 'invalid_json', 'not_object', 'missing_field'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];
