/** The Patch Wizard, loaded on first opening (its code is a chunk of its own, shared by every page that opens it). */
import { lazy, Suspense } from 'react';

import type { PatchWizardProps } from './PatchWizard';

const PatchWizard = lazy(() => import('./PatchWizard'));

export function LazyPatchWizard(props: PatchWizardProps) {
  if (!props.opened) return null;
  return (
    <Suspense fallback={null}>
      <PatchWizard {...props} />
    </Suspense>
  );
}
