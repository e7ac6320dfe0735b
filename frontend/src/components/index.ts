/** The shared building blocks of every page; see README.md beside this file. */
export { AppLayout } from './AppLayout';
export { DataTable } from './DataTable';
export type { Column, CursorPaginationControls, DataTableProps } from './DataTable';
export { AppErrorBoundary, ErrorScreen, RouteError } from './ErrorBoundary';
export { APP_NAME, Page } from './Page';
export type { PageProps } from './Page';
export { SkipLink } from './SkipLink';
export { nextSort } from './sorting';
export type { SortDirection, SortState } from './sorting';
export { EmptyState, ErrorState, LoadingState } from './states';
export { ThemeToggle } from './ThemeToggle';
export { ToastProvider } from './ToastProvider';
export { useCursorQuery, useCursorStack } from './useCursorQuery';
export { useToast } from './useToast';
export type { ToastInput, ToastTone } from './useToast';
export { applyServerError } from './formErrors';
