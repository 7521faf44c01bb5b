import { resolve } from 'node:path'
import { defineConfig } from 'vite'

const root = import.meta.dirname

// Two pages (the account pages and the admin portal), one build: shared code (Preact, the
// client SDK, the form kit) lands in one hashed chunk both pages cache. The client is compiled
// from its TypeScript source (the `@tessera/source` condition), so the web build does not wait
// for the packages' `tsc -b` output. No inline script or style: the server's CSP forbids them.
export default defineConfig({
  root,
  base: '/',
  resolve: { conditions: ['@tessera/source', 'browser', 'module', 'import', 'default'] },
  build: {
    outDir: resolve(root, 'dist'),
    emptyOutDir: true,
    assetsDir: 'assets',
    manifest: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: {
        account: resolve(root, 'account/index.html'),
        admin: resolve(root, 'admin/index.html'),
      },
    },
  },
})
