import { fileURLToPath } from 'node:url'
import { BlockClaims, type ExcusedBlock, type LineNotRun } from './block-claims.js'
import type { FencedBlock } from './markdown-fences.js'
import { readmeBlocks } from './markdown-fences.js'

// Every code block of every README: the block `readme-snippets.test.ts` runs it as, or why no
// test runs it. A block added to a README and named nowhere here fails that test.

/** The repository's root directory. */
export const REPO = fileURLToPath(new URL('../../../../', import.meta.url))

/** Whole blocks no test runs. */
export const EXCUSED: readonly ExcusedBlock[] = [
  {
    file: 'README.md',
    containing: 'core/      @tessera/core',
    reason: 'a diagram of the folders, not a command',
  },
  {
    file: 'packages/client/README.md',
    containing: "transport: 'cookie'",
    reason:
      'runs in a page, not in Node: packages/client/test/browser/two-tabs.test.ts makes the same ' +
      'calls (cookie mode, another origin of the same site) in Chromium',
  },
  {
    file: 'README.md',
    containing: 'tessera.registerPasskey(',
    reason:
      'needs a browser and an authenticator: packages/web/test/browser/passkeys.test.ts makes ' +
      'these calls through the account pages in Chromium with a virtual authenticator, and ' +
      'packages/client/test/passkeys.test.ts makes each of them in Node with a software one',
  },
]

/** Lines of run blocks that are not run. */
const NOT_RUN: readonly LineNotRun[] = [
  {
    file: '*',
    startsWith: 'npm install   #',
    reason: 'the test runs in this checkout, installed and built already (the CLI tests need it)',
  },
  {
    file: 'examples/microservice/README.md',
    startsWith: 'npm install ',
    reason: 'the test runs in this checkout, installed and built already',
  },
  { file: 'README.md', startsWith: 'npm test', reason: 'this test is part of `npm test`' },
  { file: '*', startsWith: 'cd ~/', reason: "the reader's own project" },
  {
    file: '*',
    startsWith: 'npm install /tmp/tessera-packs/',
    reason:
      'installs from the npm registry (express, fastify, better-sqlite3...): the test runs the ' +
      '`npm pack` line and checks that this one names what it packed, every Tessera package ' +
      'each needs and their peers (installing was tried by hand: see the root README)',
  },
]

export const claims = new BlockClaims(readmeBlocks(REPO), NOT_RUN)

// Claimed at import, that is at collection, so the coverage test knows every block run below.
const shell = (file: string, containing: string) => claims.runnable(claims.claim(file, containing))

/** The shell blocks, without their lines in {@link NOT_RUN}. */
export const SHELL = {
  quickStart: shell('README.md', 'npm start'),
  walkthrough: shell('README.md', 'BASE=http://127.0.0.1:8000'),
  rootPostgres: shell('README.md', 'TESSERA_DATABASE_URL=postgres'),
  keysCommands: shell('README.md', 'npx tessera keys list'),
  passkeyOptions: shell('README.md', '/api/passkeys/login/options/'),
  exportKey: shell('README.md', 'export TESSERA_SIGNING_KEY'),
  microserviceStart: shell('examples/microservice/README.md', 'npm start -w'),
  microserviceCurl: shell('examples/microservice/README.md', 'localhost:4000/api/articles/'),
  expressEs256: shell('packages/express/README.md', 'TESSERA_ALGORITHM=ES256 npx tessera serve'),
  expressHs256: shell('packages/express/README.md', 'export TESSERA_SIGNING_KEY'),
  generateKey: shell('packages/server/README.md', 'node -e'),
  serverPostgres: shell('packages/server/README.md', 'TESSERA_DATABASE_URL=postgres'),
  createSuperuser: shell('packages/server/README.md', 'npx tessera createsuperuser'),
  adminCommands: shell('packages/server/README.md', 'npx tessera groups create editors'),
}

/** The install blocks of every README (`npm pack`, then `npm install` of the tarballs). */
export const INSTALLS: readonly { readonly block: FencedBlock; readonly script: string }[] = claims
  .claimAll('npm pack -w')
  .map((block) => ({ block, script: claims.runnable(block) }))

/** The TypeScript blocks, by the name of the file each is compiled to. */
export const SNIPPETS = {
  rootResourceServer: claims.claim('README.md', "from '@tessera/express'").text,
  rootFastify: claims.claim('README.md', "from '@tessera/fastify'").text,
  rootCore: claims.claim('README.md', 'createTokenEngine(loadSettings())').text,
  coreExample: claims.claim('packages/core/README.md', 'new AuthService').text,
  expressJwks: claims.claim('packages/express/README.md', 'tessera.ready()').text,
  expressHs256: claims.claim('packages/express/README.md', "alg: 'HS256'").text,
  serverEmbedding: claims.claim('packages/server/README.md', 'buildServer(').text,
  clientNode: claims.claim('packages/client/README.md', 'process.env.TESSERA_URL').text,
}

export type SnippetName = keyof typeof SNIPPETS
