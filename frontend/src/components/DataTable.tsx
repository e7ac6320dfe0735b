/**
 * A table for server data: sortable column headers (the server sorts) and cursor pagination (the server pages).
 * Loading, error, empty and "nothing in this part of the list" states are built in, so a page only wires its query to it.
 */
import { Button, Group, Paper, Stack, Table, Text, Title, UnstyledButton } from '@mantine/core';
import type { CSSProperties, ReactNode } from 'react';

import { nextSort, type SortDirection, type SortState } from './sorting';
import { EmptyState, ErrorState, LoadingState } from './states';

export interface Column<T> {
  /** Unique; for a sortable column, the server's sort field. */
  key: string;
  header: string;
  cell: (row: T) => ReactNode;
  sortable?: boolean;
  align?: 'left' | 'right' | 'center';
  width?: number | string;
  /** Keep the header and cells on one line (dates, addresses): the table scrolls sideways instead. */
  nowrap?: boolean;
}

export interface CursorPaginationControls {
  /** 0-based index of the page shown. */
  pageIndex: number;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
}

interface DataTableProps<T> {
  /** The table's accessible name ("Hosts"); shown above the table when `showCaption`. */
  caption: string;
  showCaption?: boolean;
  columns: Column<T>[];
  /** undefined while the first page loads. */
  rows: T[] | undefined;
  rowKey: (row: T) => string;
  sort?: SortState | null;
  onSortChange?: (sort: SortState) => void;
  pagination?: CursorPaginationControls;
  /** A new page or order is loading: the old rows stay, dimmed and marked busy. */
  fetching?: boolean;
  error?: unknown;
  onRetry?: () => void;
  /** Shown when there are no rows and no page after: a string title or your own <EmptyState>. */
  empty?: ReactNode;
  loadingLabel?: string;
  /** Below this width the table scrolls sideways (default 560). */
  minWidth?: number;
  /**
   * Each row as a card instead of the table (narrow screens): a list named by the caption, one item per row, with the
   * same loading, error, empty and pagination handling.
   */
  renderCard?: ((row: T) => ReactNode) | undefined;
}

const visuallyHidden: CSSProperties = {
  position: 'absolute', width: 1, height: 1, padding: 0, margin: -1, overflow: 'hidden', clipPath: 'inset(50%)', whiteSpace: 'nowrap', border: 0,
};

const ARIA_SORT = { asc: 'ascending', desc: 'descending' } as const;

function cellStyle<T>(column: Column<T>): CSSProperties {
  return { textAlign: column.align, whiteSpace: column.nowrap ? 'nowrap' : undefined };
}

function SortIcon({ direction }: { direction: SortDirection | null }) {
  const path = direction === 'asc' ? 'M6 15l6-6 6 6' : direction === 'desc' ? 'M6 9l6 6 6-6' : 'M8 10l4-4 4 4M8 14l4 4 4-4';
  return (
    <svg width="14" height="14" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true"
      style={{ opacity: direction ? 1 : 0.45 }}
    >
      <path d={path} />
    </svg>
  );
}

/**
 * A page that came back empty but is not the end of the list. The server filters after reading a page's worth of
 * records, so a search can find nothing in one part of a long list and matches further on.
 */
function SparsePageNotice({ pagination, fetching }: { pagination: CursorPaginationControls; fetching: boolean }) {
  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="sm" align="flex-start">
        <Title order={2} size="h5">
          No matches in this part of the list
        </Title>
        <Text size="sm" c="dimmed">
          The list is searched one part at a time; later parts may still have matches.
        </Text>
        <Group gap="xs">
          {pagination.hasPrevious ? (
            <Button variant="default" size="xs" disabled={fetching} onClick={pagination.onPrevious}>
              Previous page
            </Button>
          ) : null}
          <Button size="xs" loading={fetching} onClick={pagination.onNext}>
            Search further
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

export function DataTable<T>(props: DataTableProps<T>) {
  const { caption, showCaption = false, columns, rows, rowKey, sort, onSortChange, pagination, fetching = false, error, onRetry, minWidth = 560, renderCard } = props;

  if (error && !rows) return <ErrorState error={error} title={`Could not load ${caption.toLowerCase()}`} {...(onRetry ? { onRetry } : {})} />;
  if (!rows) return <LoadingState label={props.loadingLabel ?? `Loading ${caption.toLowerCase()}…`} />;
  if (rows.length === 0 && pagination?.hasNext) return <SparsePageNotice pagination={pagination} fetching={fetching} />;
  if (rows.length === 0 && !pagination?.hasPrevious) {
    return typeof props.empty === 'string' || props.empty === undefined
      ? <EmptyState title={typeof props.empty === 'string' ? props.empty : `No ${caption.toLowerCase()} yet`} />
      : <>{props.empty}</>;
  }

  return (
    <div>
      {error ? <ErrorState error={error} {...(onRetry ? { onRetry } : {})} /> : null}
      {renderCard ? (
        <Stack component="ul" aria-label={caption} aria-busy={fetching} gap="sm" style={{ listStyle: 'none', padding: 0, margin: 0, opacity: fetching ? 0.6 : 1 }}>
          {rows.map((row) => <li key={rowKey(row)}>{renderCard(row)}</li>)}
        </Stack>
      ) : (
        <Table.ScrollContainer minWidth={minWidth}>
          <Table striped highlightOnHover verticalSpacing="sm" aria-busy={fetching} style={{ opacity: fetching ? 0.6 : 1 }}>
            <caption style={showCaption ? { textAlign: 'left', captionSide: 'top', fontWeight: 600 } : visuallyHidden}>{caption}</caption>
            <Table.Thead>
              <Table.Tr>
                {columns.map((column) => {
                  const direction = sort?.key === column.key ? sort.direction : null;
                  return (
                    <Table.Th key={column.key} scope="col" style={{ ...cellStyle(column), width: column.width }}
                      aria-sort={column.sortable ? (direction ? ARIA_SORT[direction] : 'none') : undefined}
                    >
                      {column.sortable && onSortChange ? (
                        <UnstyledButton onClick={() => onSortChange(nextSort(sort, column.key))} fw={700} fz="sm">
                          <Group gap={4} wrap="nowrap" component="span">
                            {column.header}
                            <SortIcon direction={direction} />
                          </Group>
                        </UnstyledButton>
                      ) : (
                        column.header
                      )}
                    </Table.Th>
                  );
                })}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((row) => (
                <Table.Tr key={rowKey(row)}>
                  {columns.map((column) => (
                    <Table.Td key={column.key} style={cellStyle(column)}>
                      {column.cell(row)}
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {pagination && (pagination.hasNext || pagination.hasPrevious) ? (
        <Group justify="space-between" mt="sm" component="nav" aria-label={`${caption} pages`}>
          <Text size="sm" c="dimmed">
            Page {pagination.pageIndex + 1}
          </Text>
          <Group gap="xs">
            <Button variant="default" size="xs" disabled={!pagination.hasPrevious || fetching} onClick={pagination.onPrevious}>
              Previous page
            </Button>
            <Button variant="default" size="xs" disabled={!pagination.hasNext || fetching} onClick={pagination.onNext}>
              Next page
            </Button>
          </Group>
        </Group>
      ) : null}
    </div>
  );
}
