/** Form-schema pieces shared by the settings forms (Security, Agent updates). */
import { z } from 'zod/mini';

/** A whole number within bounds, with one message for every way it can be wrong (empty, decimal, out of range). */
export function intBetween(min: number, max?: number) {
  const message = max === undefined ? `Enter a whole number of at least ${min}` : `Enter a whole number from ${min} to ${max}`;
  const checks = [z.gte(min, message), ...(max === undefined ? [] : [z.lte(max, message)])];
  return z.int({ error: message }).check(...checks);
}
