import { Text } from 'ink';
import { viewTitle, type SortKey, type View } from '../store/view.js';
import { fit } from './fit.js';
import { useTheme } from './theme-context.js';

/** Top line: the views with their counts under the filter (built-in, one per host when there are several: '@host', one per label in use: '#label'), the sort and the filter. */
export function ViewBar({
  counts,
  views,
  view,
  sort,
  descending,
  filter,
  width,
  demo,
  marked = 0,
}: {
  /** Rows per view under the filter, and the views in their order (store/list-view.ts). */
  counts: ReadonlyMap<View, number>;
  views: readonly View[];
  view: View;
  sort: SortKey;
  descending: boolean;
  filter: string;
  width: number;
  demo: boolean;
  /** How many torrents are marked (t). */
  marked?: number;
}) {
  const theme = useTheme();
  const right = `${marked > 0 ? `${marked} marked  ` : ''}sort ${sort}${descending ? '▼' : '▲'}${filter ? `  filter "${filter}"` : ''}`;
  const title = demo ? 'btui demo ' : 'btui ';
  let used = title.length + right.length + 1;
  const items: { view: View; text: string }[] = [];
  // The view in force is shown even when its label has just gone from every torrent.
  for (const v of views.includes(view) ? views : [...views, view]) {
    const text = ` ${viewTitle(v)} ${counts.get(v) ?? 0} `;
    if (used + text.length > width && v !== view) continue;
    used += text.length;
    items.push({ view: v, text });
  }
  const pad = Math.max(1, width - used + 1);
  return (
    <Text wrap="truncate">
      <Text bold color={theme.accent}>
        {title}
      </Text>
      {items.map((item) => (
        <Text key={item.view} inverse={item.view === view} color={item.view === view ? undefined : theme.dim}>
          {item.text}
        </Text>
      ))}
      <Text color={theme.dim}>{fit(right, pad + right.length - 1, 'right')}</Text>
    </Text>
  );
}
