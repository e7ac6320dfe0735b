import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { renderUi } from '../test/render';
import { DataTable, type Column } from './DataTable';
import { nextSort } from './sorting';

interface Row {
  id: string;
  name: string;
  updates: number;
}

const columns: Column<Row>[] = [
  { key: 'hostname', header: 'Host', cell: (r) => r.name, sortable: true },
  { key: 'updates_count', header: 'Updates', cell: (r) => r.updates, sortable: true, align: 'right' },
  { key: 'notes', header: 'Notes', cell: () => '—' },
];
const rows: Row[] = [{ id: '1', name: 'web-1', updates: 3 }, { id: '2', name: 'db-1', updates: 0 }];

describe('DataTable', () => {
  it('marks the sorted column and asks for the next order on click', async () => {
    const onSortChange = vi.fn();
    renderUi(<DataTable caption="Hosts" columns={columns} rows={rows} rowKey={(r) => r.id} sort={{ key: 'hostname', direction: 'asc' }} onSortChange={onSortChange} />);

    expect(screen.getByRole('table', { name: 'Hosts' })).toBeInTheDocument();
    expect(screen.getByRole('columnheader', { name: /Host/ })).toHaveAttribute('aria-sort', 'ascending');
    expect(screen.getByRole('columnheader', { name: /Updates/ })).toHaveAttribute('aria-sort', 'none');
    expect(screen.getByRole('columnheader', { name: 'Notes' })).not.toHaveAttribute('aria-sort');

    await userEvent.click(screen.getByRole('button', { name: 'Host' }));
    await userEvent.click(screen.getByRole('button', { name: 'Updates' }));
    expect(onSortChange.mock.calls).toEqual([[{ key: 'hostname', direction: 'desc' }], [{ key: 'updates_count', direction: 'asc' }]]);
  });

  it('pages by cursor with Previous and Next', async () => {
    const onNext = vi.fn();
    const onPrevious = vi.fn();
    renderUi(<DataTable caption="Hosts" columns={columns} rows={rows} rowKey={(r) => r.id}
      pagination={{ pageIndex: 1, hasPrevious: true, hasNext: false, onNext, onPrevious }}
    />);
    expect(screen.getByText('Page 2')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Next page' })).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Previous page' }));
    expect(onPrevious).toHaveBeenCalledOnce();
  });

  it('shows loading, error and empty states', () => {
    const { rerender } = renderUi(<DataTable caption="Hosts" columns={columns} rows={undefined} rowKey={(r) => r.id} />);
    expect(screen.getByText('Loading hosts…')).toBeInTheDocument();
    rerender(<DataTable caption="Hosts" columns={columns} rows={[]} rowKey={(r) => r.id} empty="No hosts yet" />);
    expect(screen.getByRole('heading', { name: 'No hosts yet' })).toBeInTheDocument();
    rerender(<DataTable caption="Hosts" columns={columns} rows={undefined} rowKey={(r) => r.id} error={new Error('boom')} />);
    expect(screen.getByRole('alert')).toHaveTextContent('boom');
  });

  it('shows a short static list: no sort buttons or page controls, and nowrap columns on one line', () => {
    const plainColumns: Column<Row>[] = [
      { key: 'name', header: 'Host', cell: (r) => r.name },
      { key: 'seen', header: 'Last seen', nowrap: true, cell: () => '12 Mar 2025, 14:05' },
    ];
    renderUi(<DataTable caption="Sessions" showCaption columns={plainColumns} rows={rows} rowKey={(r) => r.id} minWidth={640} />);

    expect(screen.getByRole('table', { name: 'Sessions' })).toBeInTheDocument();
    expect(screen.getByText('Sessions')).toBeVisible();
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
    expect(screen.queryByRole('navigation')).not.toBeInTheDocument();
    expect(screen.getByRole('columnheader', { name: 'Last seen' })).toHaveStyle({ whiteSpace: 'nowrap' });
    expect(screen.getAllByRole('cell', { name: '12 Mar 2025, 14:05' })[0]).toHaveStyle({ whiteSpace: 'nowrap' });
    expect(screen.getByRole('columnheader', { name: 'Host' })).not.toHaveStyle({ whiteSpace: 'nowrap' });
  });

  it('offers to search further, not "no rows", when a page is empty but the list goes on', async () => {
    const onNext = vi.fn();
    renderUi(<DataTable caption="Hosts" columns={columns} rows={[]} rowKey={(r) => r.id} empty="No hosts yet"
      pagination={{ pageIndex: 0, hasPrevious: false, hasNext: true, onNext, onPrevious: vi.fn() }}
    />);
    expect(screen.queryByRole('heading', { name: 'No hosts yet' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Previous page' })).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Search further' }));
    expect(onNext).toHaveBeenCalledOnce();
  });
});

it('nextSort starts a new column ascending and flips the sorted one', () => {
  expect(nextSort(null, 'a')).toEqual({ key: 'a', direction: 'asc' });
  expect(nextSort({ key: 'a', direction: 'asc' }, 'a')).toEqual({ key: 'a', direction: 'desc' });
  expect(nextSort({ key: 'a', direction: 'desc' }, 'b')).toEqual({ key: 'b', direction: 'asc' });
});
