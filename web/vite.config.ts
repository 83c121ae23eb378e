// Vite builds the app into web/dist. The engine comes in through the
// package's public entry points (`calm-access`, `calm-access/preact`), the
// same files an npm user gets; its .wasm is picked up by the
// `new URL(..., import.meta.url)` in js/index.js.
//
// The one plugin below writes the service worker: sw-template.js with the
// list of every file of the build, so a first visit caches the whole app.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';

// Files served beside the app (web/public) that the app needs offline.
const PUBLIC_FILES = ['demo/demo-org.json', 'demo/ihasco-payload.json', 'icon.svg', 'manifest.webmanifest'];

function serviceWorker(): Plugin {
  return {
    name: 'calm-service-worker',
    apply: 'build',
    generateBundle(_options, bundle) {
      const files = ['./', ...PUBLIC_FILES, ...Object.keys(bundle).filter((f) => !f.endsWith('.map'))].sort();
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
  plugins: [serviceWorker()],
});
