/** Table-cell styles shared by the settings sections. */

/** Keeps a table cell's text on one line (the table scrolls sideways instead of squeezing it). */
export const NOWRAP = { whiteSpace: 'nowrap' } as const;
/** For a Badge in a table cell: as wide as its text, never truncated to "Su…". */
export const FULL_BADGE = { minWidth: 'max-content' } as const;
