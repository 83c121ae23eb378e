// Hash routes (#/people/r-lee): every screen is one page of the app, which is
// what the service worker caches, so any route opens offline.
import { useEffect, useState } from 'preact/hooks';

export function parts(): string[] {
  return location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
}

/** The route's parts, re-rendering on navigation. */
export function useRoute(): string[] {
  const [route, setRoute] = useState(parts);
  useEffect(() => {
    const update = () => setRoute(parts());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

export function href(...segments: string[]): string {
  return `#/${segments.map(encodeURIComponent).join('/')}`;
}

export function go(...segments: string[]): void {
  location.hash = href(...segments);
}
