import { CartesianGrid, Line, LineChart, ReferenceArea, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { dateText } from './clinical-text.js';
import type { ResultSeries } from './result-series.js';

/**
 * One test's values over time, the reference range shaded. The table beside it carries the same
 * numbers for screen readers and keyboard users, so the drawing itself is hidden from them.
 */
export function TrendChart({ series }: { series: ResultSeries }) {
  const points = series.points.filter((p) => p.value !== undefined);
  const values = points.map((p) => p.value!);
  const low = Math.min(...values, series.low ?? Infinity);
  const high = Math.max(...values, series.high ?? -Infinity);
  const pad = (high - low) * 0.15 || 1;
  return (
    <div aria-hidden="true" data-testid={`trend-${series.name}`} style={{ width: '100%', height: 220 }}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" stroke="#dee2e6" />
          {(series.low !== undefined || series.high !== undefined) && (
            <ReferenceArea y1={series.low ?? low - pad} y2={series.high ?? high + pad} fill="#2f9e44" fillOpacity={0.12} ifOverflow="extendDomain" />
          )}
          <XAxis dataKey="time" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={(t: number) => dateText(new Date(t).toISOString())} stroke="#495057" />
          <YAxis domain={[Math.floor(low - pad), Math.ceil(high + pad)]} allowDecimals stroke="#495057" width={48} />
          <Tooltip labelFormatter={(t) => dateText(new Date(Number(t)).toISOString())} formatter={(value) => [`${String(value)} ${series.unit}`, series.name]} />
          <Line type="monotone" dataKey="value" stroke="#1864ab" strokeWidth={2} dot={{ r: 4 }} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
