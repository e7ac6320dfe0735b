/** The host group form: the server's HostGroupWrite rules (host/schemas.py) checked before sending. */
import { z } from 'zod/mini';

import type { HostGroup, HostGroupWrite } from '../../../api/hostGroups';

const DEFAULT_GROUP_COLOR = '#3B82F6';

export const groupSchema = z.object({
  name: z.string().check(z.trim(), z.minLength(1, 'Enter a name'), z.maxLength(100, 'Use at most 100 characters')),
  description: z.string().check(z.trim(), z.maxLength(500, 'Use at most 500 characters')),
  color: z.string().check(z.trim(), z.regex(/^#[0-9A-Fa-f]{6}$/, 'Enter a colour as #RRGGBB, e.g. #3B82F6')),
});

export type GroupValues = z.infer<typeof groupSchema>;

export function groupDefaults(group?: HostGroup | null): GroupValues {
  return { name: group?.name ?? '', description: group?.description ?? '', color: group?.color ?? DEFAULT_GROUP_COLOR };
}

/** The request body: an empty description clears it (null), the colour in upper case like the default. */
export function toGroupWrite(values: GroupValues): HostGroupWrite {
  return { name: values.name.trim(), description: values.description.trim() || null, color: values.color.trim().toUpperCase() };
}
