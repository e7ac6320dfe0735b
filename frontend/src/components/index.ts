/**
 * The shared building blocks of the pages; see README.md beside this file. The shell's own pieces (AppLayout,
 * the error boundaries, ToastProvider, SkipLink, ThemeToggle) are imported from their files by main.tsx, App.tsx and router.tsx.
 */
export { ConfirmDialog, DialogActions } from './ConfirmDialog';
export { DataTable } from './DataTable';
export type { Column } from './DataTable';
export { DebouncedTextInput } from './DebouncedTextInput';
export { applyServerError } from './formErrors';
export { formatCount, formatDate, formatDateTime, formatRelative, fullName, plural } from './format';
export { Page } from './Page';
export { useStoredPageSize } from './pageSize';
export { PageSizeSelect } from './PageSizeSelect';
export { RefreshButton } from './RefreshButton';
export type { SortState } from './sorting';
export { EmptyState, ErrorState, LoadingState } from './states';
export { SummaryCard, SummaryGrid } from './SummaryCard';
export { useCursorQuery, useCursorStack } from './useCursorQuery';
export { useToast } from './useToast';
export { VersionText } from './VersionText';
