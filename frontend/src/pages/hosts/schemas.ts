/** Form schemas of the Hosts pages (zod/mini, as the other forms of the app). */
import { z } from 'zod/mini';

const friendlyName = z.string().check(
  z.trim(),
  z.minLength(1, 'Enter a friendly name'),
  z.maxLength(255, 'At most 255 characters'),
);

/** Step 1 of the Add host wizard (POST /hosts/create). */
export const newHostSchema = z.object({
  friendly_name: friendlyName,
  groups: z.array(z.string()),
  docker_enabled: z.boolean(),
  compliance_enabled: z.boolean(),
});

export type NewHostValues = z.infer<typeof newHostSchema>;

/** Renaming a host (PATCH /hosts/{id}/friendly-name). */
export const renameSchema = z.object({ friendly_name: friendlyName });

export type RenameValues = z.infer<typeof renameSchema>;
