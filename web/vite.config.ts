// Vite builds the app into web/dist. The engine comes in through the
// package's public entry points (`calm-access`, `calm-access/preact`), the
// same files an npm user gets; its .wasm is picked up by the
// `new URL(..., import.meta.url)` in js/index.js.
//
// The plugin below puts the demo's iHasco export (web/demo/) beside the app
// and writes the service worker: sw-template.js with the list of every file
// of the build, so a first visit caches the whole app. The organisation is
// not part of the build: the server sends each person their viewer snapshot
// (SERVER.md V), and nothing of it is cached by the service worker.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';

// Files of web/public that the app needs offline.
const PUBLIC_FILES = ['icon.svg', 'manifest.webmanifest'];
// The demo's iHasco export (what the provider's API would answer), served at
// ./demo/ and never cached: it names people.
const DEMO_FILES = ['ihasco-payload.json'];
const demoFile = (name: string) => readFileSync(new URL(`./demo/${name}`, import.meta.url));

function demoAndServiceWorker(): Plugin {
  return {
    name: 'calm-demo-and-service-worker',
    // `vite` (dev): serve the demo files from web/demo.
    configureServer(server) {
      server.middlewares.use('/demo/', (req, res, next) => {
        const name = (req.url ?? '').slice(1).split('?')[0] ?? '';
        if (!DEMO_FILES.includes(name)) return next();
        res.setHeader('content-type', 'application/json');
        res.end(demoFile(name));
      });
    },
    generateBundle(_options, bundle) {
      for (const name of DEMO_FILES) this.emitFile({ type: 'asset', fileName: `demo/${name}`, source: demoFile(name) });
      const files = ['./', ...PUBLIC_FILES, ...Object.keys(bundle).filter((f) => !f.endsWith('.map') && !f.startsWith('demo/'))].sort();
      const version = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 12);
      const template = readFileSync(new URL('./sw-template.js', import.meta.url), 'utf8');
      const source = template
        .replace('self.__PRECACHE__', JSON.stringify(files))
        .replace('self.__VERSION__', JSON.stringify(version));
      this.emitFile({ type: 'asset', fileName: 'sw.js', source });
    },
  };
}

export default defineConfig({
  base: './',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  // js/preact.js lives outside web/: it must get web's one copy of preact.
  resolve: { dedupe: ['preact'] },
  build: { target: 'es2022', assetsInlineLimit: 0, sourcemap: false },
  server: { fs: { allow: ['..'] } },
  plugins: [demoAndServiceWorker()],
});
