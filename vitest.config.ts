import { defineConfig } from 'vitest/config'

// Tests import each package by its public name; the `@tessera/source` export condition points
// those imports at the TypeScript sources, so tests need no build step.
// Vite adds `import`/`require` itself; listing `import` here would reach Node's own
// resolution and hand CommonJS `require()` calls (pg -> pg-pool) ESM builds.
const conditions = ['@tessera/source', 'node', 'module', 'default']

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@tessera/source'] } },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      // The bench's own parsing, statistics and round order (the suite itself is `npm run bench`).
      'bench/test/**/*.test.js',
    ],
    pool: 'threads',
    maxWorkers: 2,
    // Two cores shared by argon2, bcrypt and 50-worker races: generous limits, no timing goals.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'tessera' } },
      // The security suite again, every attack against a resource server's verifier. Not
      // `extends: true`: that would merge the root `include` into this one.
      {
        resolve: { conditions },
        ssr: { resolve: { conditions, externalConditions: ['@tessera/source'] } },
        test: {
          name: 'security-resource',
          pool: 'threads',
          testTimeout: 30_000,
          hookTimeout: 60_000,
          include: ['packages/core/test/security/**/*.test.ts'],
          // Already resource-server attacks: nothing to gain from a second run.
          exclude: ['**/node_modules/**', 'packages/core/test/security/jwks-attacks.test.ts'],
          env: { TESSERA_SECURITY_VERIFIER: 'resource' },
        },
      },
    ],
  },
})
