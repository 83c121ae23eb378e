// Search and paging for the app's long lists (issue 12): People, Courses,
// User Management, Insights and the assign picker hold up to 20,000 rows on
// the large demo. Each item's search text is lowercased once per list (not
// per keystroke), a query matches items holding every word of it, and only
// one page of rows is rendered.

import { useMemo, useState } from 'preact/hooks';

export const PAGE_SIZE = 50;

export interface Paged<T> {
  query: string;
  setQuery: (q: string) => void;
  page: number;
  setPage: (p: number) => void;
  pages: number;
  /** The items matching the query, in order. */
  matched: T[];
  /** The page of them to render. */
  shown: T[];
  total: number;
}

/** The search and page over `items`; `text` gives what an item is found by (its name, email, site...). */
export function usePaged<T>(items: T[], text: (item: T) => string, size = PAGE_SIZE): Paged<T> {
  const [query, setQueryState] = useState('');
  const [page, setPage] = useState(0);
  const keys = useMemo(() => items.map((item) => text(item).toLowerCase()), [items]);
  const matched = useMemo(() => {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) return items;
    const out: T[] = [];
    for (let i = 0; i < items.length; i += 1) if (words.every((w) => keys[i].includes(w))) out.push(items[i]);
    return out;
  }, [items, keys, query]);
  const pages = Math.max(1, Math.ceil(matched.length / size));
  const current = Math.min(page, pages - 1);
  const shown = matched.slice(current * size, current * size + size);
  const setQuery = (q: string) => {
    setQueryState(q);
    setPage(0);
  };
  return { query, setQuery, page: current, setPage, pages, matched, shown, total: items.length };
}

/** The search box of a list, with how many match, read out as it changes. */
export function SearchBox<T>({ paged, label, testid }: { paged: Paged<T>; label: string; testid: string }) {
  return (
    <div class="row search">
      <label class="field grow">
        <span>{label}</span>
        <input type="search" data-testid={testid} value={paged.query} onInput={(e) => paged.setQuery((e.currentTarget as HTMLInputElement).value)} />
      </label>
      <span class="muted" role="status" aria-live="polite" data-testid={`${testid}-count`}>
        {paged.query === '' ? `${paged.total} in all` : `${paged.matched.length} of ${paged.total} match`}
      </span>
    </div>
  );
}

/** Previous / next page, shown when there is more than one page. */
export function Pager<T>({ paged, testid }: { paged: Paged<T>; testid: string }) {
  if (paged.pages <= 1) return null;
  return (
    <nav class="row pager" aria-label="Pages" data-testid={testid}>
      <button type="button" class="btn btn-plain" data-testid={`${testid}-prev`} disabled={paged.page === 0} onClick={() => paged.setPage(paged.page - 1)}>
        Previous
      </button>
      <span data-testid={`${testid}-page`}>
        Page {paged.page + 1} of {paged.pages}
      </span>
      <button
        type="button"
        class="btn btn-plain"
        data-testid={`${testid}-next`}
        disabled={paged.page >= paged.pages - 1}
        onClick={() => paged.setPage(paged.page + 1)}
      >
        Next
      </button>
    </nav>
  );
}
