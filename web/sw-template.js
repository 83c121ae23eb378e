// The app's service worker (written into dist/sw.js by vite.config.ts with
// the build's file list). The first visit caches every file of the app and
// the wasm engine; after that the app loads and works with the network off.
// Nothing of the organisation is cached here: /api/ (sessions, the viewer
// snapshot, commands) and /demo/ go to the network; the signed-in person's
// snapshot and queue live in IndexedDB, which sign-out deletes.
const PRECACHE = self.__PRECACHE__;
const CACHE = `calm-app-${self.__VERSION__}`;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith('calm-app-') && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.includes('/api/')) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      // Navigations all get the app's one page (routes are in the hash).
      const key = request.mode === 'navigate' ? new URL('./', self.registration.scope).href : request;
      const cached = await cache.match(key, { ignoreSearch: request.mode === 'navigate' });
      if (cached) return cached;
      return fetch(request);
    })(),
  );
});
