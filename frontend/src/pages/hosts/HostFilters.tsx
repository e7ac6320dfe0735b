/** The Hosts list filters (Admin Guide C5.8, C5.10): every value lives in the URL, text fields update it after a pause. */
import { Button, Checkbox, Group, Select, Stack, Tooltip } from '@mantine/core';
import { useState } from 'react';

import type { HostGroup } from '../../api/hostGroups';
import { DebouncedTextInput } from '../../components/DebouncedTextInput';
import { HOST_STATUSES, hasFilters, type HostFilters } from './logic';

interface HostFiltersBarProps {
  filters: HostFilters;
  groups: HostGroup[] | undefined;
  onChange: (changes: Partial<HostFilters>) => void;
  onClear: () => void;
}

/** How many filters besides the search box are set (shown on the Filters button). */
function panelFilterCount(filters: HostFilters): number {
  return (Object.keys(filters) as (keyof HostFilters)[]).filter((name) => name !== 'search' && Boolean(filters[name])).length;
}

export function HostFiltersBar({ filters, groups, onChange, onClear }: HostFiltersBarProps) {
  const active = panelFilterCount(filters);
  // The panel starts open when a link arrives with filters set, so they are visible.
  const [open, setOpen] = useState(active > 0);
  // "ungrouped" is the server's filter for hosts in no group (C5.8).
  const groupOptions = [...(groups ?? []).map((group) => ({ value: group.id, label: group.name })), { value: 'ungrouped', label: 'Ungrouped' }];
  // A deep link to a group that is not loaded yet (or was deleted) still shows as selected.
  if (filters.group && !groupOptions.some((option) => option.value === filters.group)) {
    groupOptions.push({ value: filters.group, label: groups ? 'Unknown group' : 'Loading…' });
  }
  return (
    <Stack gap="sm">
      <Group gap="sm" align="flex-end" wrap="wrap">
        <DebouncedTextInput label="Search" type="search" placeholder="Name or hostname" value={filters.search}
          onCommit={(search) => onChange({ search })}
        />
        <Button variant="default" aria-expanded={open} aria-controls="host-filters" onClick={() => setOpen((o) => !o)}>
          {active ? `Filters (${active})` : 'Filters'}
        </Button>
        {hasFilters(filters) ? <Button variant="subtle" onClick={onClear}>Clear filters</Button> : null}
      </Group>
      {open ? (
        <Group id="host-filters" gap="sm" align="flex-end" wrap="wrap" role="group" aria-label="Filters">
          <Select label="Host group" placeholder="All groups" data={groupOptions} value={filters.group || null} clearable searchable
            onChange={(group) => onChange({ group: group ?? '' })} w={{ base: '100%', xs: 200 }}
          />
          <Select label="Status" placeholder="Any status" data={[...HOST_STATUSES]} value={filters.status || null} clearable
            onChange={(status) => onChange({ status: status ?? '' })} w={{ base: '100%', xs: 150 }}
          />
          <DebouncedTextInput label="Operating system" placeholder="e.g. Ubuntu" value={filters.os} onCommit={(os) => onChange({ os })} />
          <Group gap="md" pb={6} wrap="wrap">
            <Checkbox label="Needs updates" checked={filters.needs_updates} onChange={(e) => onChange({ needs_updates: e.currentTarget.checked })} />
            <Checkbox label="Security updates" checked={filters.security} onChange={(e) => onChange({ security: e.currentTarget.checked })} />
            <Checkbox label="Reboot required" checked={filters.reboot_required}
              onChange={(e) => onChange({ reboot_required: e.currentTarget.checked })}
            />
            <Tooltip label="Hides offline hosts and hosts that have not reported for 7 days (on the page shown)" withArrow>
              <Checkbox label="Hide stale" checked={filters.hide_stale} onChange={(e) => onChange({ hide_stale: e.currentTarget.checked })} />
            </Tooltip>
          </Group>
        </Group>
      ) : null}
    </Stack>
  );
}
