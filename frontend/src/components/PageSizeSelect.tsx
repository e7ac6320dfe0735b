import { NativeSelect } from '@mantine/core';

import { PAGE_SIZES } from './pageSize';

/** The "Rows per page" select for useStoredPageSize. */
export function PageSizeSelect({ value, onChange }: { value: number; onChange: (size: number) => void }) {
  return (
    <NativeSelect label="Rows per page" data={PAGE_SIZES.map(String)} value={String(value)}
      onChange={(event) => onChange(Number(event.currentTarget.value))}
    />
  );
}
