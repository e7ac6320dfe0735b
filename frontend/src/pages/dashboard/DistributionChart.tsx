/** A donut chart (Recharts, loaded on demand). Decorative: the card lists the same numbers as text. */
import { Pie, PieChart, ResponsiveContainer, Tooltip } from 'recharts';

import type { Slice } from './cards';

export default function DistributionChart({ slices }: { slices: Slice[] }) {
  const data = slices.map((slice) => ({ name: slice.name, value: slice.value, fill: slice.color }));
  return (
    <div style={{ width: '100%', height: 180 }} aria-hidden="true">
      <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 180, height: 180 }}>
        <PieChart accessibilityLayer={false}>
          {/* Each slice's colour comes from its `fill` (Recharts 3 reads it from the data; <Cell> is deprecated). */}
          <Pie data={data} dataKey="value" nameKey="name" innerRadius="55%" outerRadius="90%" stroke="var(--mantine-color-body)"
            isAnimationActive={false}
          />
          <Tooltip />
        </PieChart>
      </ResponsiveContainer>
    </div>
  );
}
