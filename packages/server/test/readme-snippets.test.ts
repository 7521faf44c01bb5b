// Every code block of every README, run as a reader would paste it: shell blocks with bash
// against real `tessera serve` processes, TypeScript blocks type-checked together (as a
// reader's `tsc` would, against the built packages) and run with Node, each server answering
// real requests before it is stopped. `readme/readme-blocks.ts` names every block and what is
// not run, with the reason. Takes about 40 s of CPU, most of it Node and npm starting up.
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serviceNotConfigured } from '../../core/test/service-gate.js'
import { requireBuiltCli, serveTessera } from './cli/run-tessera.js'
import { createTestDatabase, freePort, POSTGRES_URL, postJson } from './cli/service-fixtures.js'
import { substitute } from './readme/block-claims.js'
import { installLineProblems, workspaceManifests } from './readme/install-line.js'
import {
  claims,
  EXCUSED,
  INSTALLS,
  REPO,
  SHELL,
  SNIPPETS,
  type SnippetName,
} from './readme/readme-blocks.js'
import { bearer, getJson, hostOf, signIn, statusOf } from './readme/readme-http.js'
import { compileSnippets } from './readme/snippet-compiler.js'
import {
  curlAnswers,
  exported,
  killCommands,
  type Listening,
  runBash,
  runBashOk,
  startListening,
} from './readme/snippet-processes.js'

// Several processes start per test, on two cores shared with the rest of the suite: generous
// limits, no timing goals.
const PROCESSES = { timeout: 180_000 }

// Inside the repository, so that `npx tessera` and the snippets' imports find the workspace's
// packages as a reader's checkout does; removed afterwards.
let runDir = ''
/** The type errors of each snippet, once `tsc` is done (it runs while the shell blocks do). */
let compiled: Promise<Map<string, string[]>> = Promise.resolve(new Map())

/** A fresh directory of this run, e.g. a shell block's working directory. */
function dir(name: string): string {
  const path = join(runDir, name)
  mkdirSync(path, { recursive: true })
  return path
}

/** Fails unless snippet `name` compiled without a type error. */
async function expectCompiled(name: SnippetName): Promise<void> {
  expect((await compiled).get(name), `${name} does not compile`).toEqual([])
}

/** Starts a compiled snippet with `node`; resolves once it said where it listens. */
async function startSnippet(name: SnippetName, env: Record<string, string>): Promise<Listening> {
  await expectCompiled(name)
  return startListening(`exec node ${name}.js`, { cwd: join(runDir, 'ts'), env })
}

/** Runs a compiled snippet with `node` to its end. */
async function runSnippet(name: SnippetName, env: Record<string, string>) {
  await expectCompiled(name)
  return runBash(`exec node ${name}.js`, { cwd: join(runDir, 'ts'), env })
}

/** A freshly generated HS256 secret, as the READMEs make one. */
function strongKey(): string {
  return randomBytes(48).toString('base64url')
}

const SCRATCH = join(REPO, '.readme-snippets')

beforeAll(() => {
  requireBuiltCli()
  mkdirSync(SCRATCH, { recursive: true })
  runDir = mkdtempSync(join(SCRATCH, 'run-'))
  compiled = compileSnippets(dir('ts'), SNIPPETS)
  // Reported by the tests that await it; unobserved until then.
  compiled.catch(() => {})
})

afterAll(async () => {
  killCommands()
  await compiled.catch(() => {}) // tsc done writing
  if (runDir !== '') rmSync(runDir, { recursive: true, force: true })
  try {
    rmdirSync(SCRATCH)
  } catch {
    // Another run is using it.
  }
})

describe('every README code block', () => {
  it('is run by a test below or excused, with a reason', () => {
    expect(claims.problems(EXCUSED)).toEqual([])
    expect(claims.unusedLineRules()).toEqual([])
  })
})

describe('README.md', () => {
  it(
    'Quick start: npm start serves; the curl walkthrough and createsuperuser work on it',
    PROCESSES,
    async () => {
      const data = join(runDir, 'quick-start-data') // made by Tessera, as for a reader
      const server = await startListening(SHELL.quickStart, {
        cwd: REPO,
        env: { TESSERA_PORT: '0', TESSERA_DATA_DIR: data },
      })
      try {
        const base = server.url
        // The walkthrough exactly as written, but for the address.
        const script = substitute(SHELL.walkthrough, ['BASE=http://127.0.0.1:8000', `BASE=${base}`])
        const answers = await curlAnswers(script, dir('walkthrough'))
        expect(JSON.parse(answers[0] ?? '')).toMatchObject({
          username: 'peter',
          first_name: 'Peter',
        })
        expect(answers).toContain('{"msg":"Hello Peter Parker"}')
        expect(answers.at(-2)).toBe('{}')
        expect(answers.at(-1)).toBe('{"detail":"Token is blacklisted","code":"token_not_valid"}')

        // Passkeys: the options call, as written but for the address.
        const passkey = await curlAnswers(
          substitute(SHELL.passkeyOptions, ['http://127.0.0.1:8000', base]),
          dir('passkey-options'),
        )
        expect(JSON.parse(passkey[0] ?? '')).toMatchObject({
          rpId: 'localhost',
          userVerification: 'required',
          challenge: expect.stringMatching(/^[\w-]{43}$/),
        })

        // packages/server/README.md: a superuser made on the server's database logs in as typed.
        await runBashOk(SHELL.createSuperuser, {
          cwd: dir('superuser'),
          env: { TESSERA_DATA_DIR: data },
        })
        const login = await postJson(`${base}/api/token/`, {
          username: 'admin',
          password: 'a long passphrase',
        })
        expect(login.status).toBe(200)

        // packages/server/README.md: groups, permissions and the audit log from the CLI, seen
        // by the running server's admin API.
        const output = await runBashOk(SHELL.adminCommands, {
          cwd: dir('admin'),
          env: { TESSERA_DATA_DIR: data },
        })
        expect(output).toContain("User 'admin' is in group 'editors'.")
        expect(output).toMatch(/group_member_added\s+\d+\s+-\s+\{"group_id":"1"/)
        const members = await getJson(`${base}/api/admin/users/?group=1`, login.body.access)
        expect(members.status).toBe(200)
        expect(members.body).toMatchObject({ count: 1, results: [{ username: 'admin' }] })
      } finally {
        await server.stop()
      }
    },
  )

  it('Keys: every keys command, on an EdDSA key ring', PROCESSES, async () => {
    const options = { cwd: dir('keys'), env: { TESSERA_ALGORITHM: 'EdDSA' } } // the section's
    const retire = SHELL.keysCommands.indexOf('npx tessera keys retire')
    expect(retire).toBeGreaterThan(0)
    const before = await runBashOk(SHELL.keysCommands.slice(0, retire), options)
    expect(before).toMatch(/Generated EdDSA key \S+ as next/)
    // The key `keys rotate` made current, for the `<kid>` placeholder (it hands over to the next).
    const current = /Key (\S+) \(EdDSA\) signs from now on/.exec(before)?.[1] ?? 'none'
    const kek = randomBytes(32).toString('base64url') // what `keys encrypt` presumes is set
    const after = substitute(
      SHELL.keysCommands.slice(retire),
      ['<kid>', current],
      ['npx tessera keys encrypt', `TESSERA_KEY_ENCRYPTION_KEY=${kek} npx tessera keys encrypt`],
    )
    const output = await runBashOk(after, options)
    expect(output).toContain(`Key ${current} is retired`)
    expect(output).toMatch(/Encrypted \d+ stored private keys/)
  })

  it('Embedding in a Fastify app: the key export, the app, the core alone', PROCESSES, async () => {
    const key = await exported(SHELL.exportKey, 'TESSERA_SIGNING_KEY', dir('export-key'))
    expect(key).toMatch(/^[A-Za-z0-9_-]{64}$/)

    // Without the key: the one-line reason, not only a stack.
    const keyless = await runSnippet('rootFastify', { PORT: '0' })
    expect(keyless.status).not.toBe(0)
    expect(keyless.stderr).toContain('KeyError: SIGNING_KEY is required for HS256: set TESSERA_')

    const app = await startSnippet('rootFastify', { TESSERA_SIGNING_KEY: key, PORT: '0' })
    try {
      expect((await getJson(`${app.url}/articles`)).status).toBe(401)
      const access = await signIn(app.url, 'ada')
      expect(await getJson(`${app.url}/articles`, access)).toMatchObject({
        status: 200,
        body: { owner: '1' },
      })
    } finally {
      await app.stop()
    }

    const core = await runSnippet('rootCore', { TESSERA_SIGNING_KEY: key })
    expect(core).toMatchObject({ status: 0, stdout: '42\n' })
  })

  describe('Running on PostgreSQL (and packages/server/README.md)', () => {
    if (POSTGRES_URL === undefined) {
      serviceNotConfigured('serves from PostgreSQL', ['TESSERA_TEST_POSTGRES_URL'])
      return
    }
    const serverUrl = POSTGRES_URL
    // A database of its own in place of the example's; loopback only in a test.
    const LOOPBACK = ['--host 0.0.0.0', '--host 127.0.0.1'] as const

    async function servesFromPostgres(script: (databaseUrl: string) => string): Promise<void> {
      const database = await createTestDatabase(serverUrl)
      try {
        const server = await startListening(script(database.url), {
          cwd: dir(`postgres-${randomBytes(3).toString('hex')}`),
          env: { TESSERA_PORT: '0' },
        })
        try {
          expect(server.output()).toContain('PostgreSQL')
          expect((await getJson(`${server.url}/readyz`)).status).toBe(200)
          await signIn(server.url, 'grace')
        } finally {
          await server.stop()
        }
      } finally {
        await database.drop()
      }
    }

    it("the root README's command serves in production mode", PROCESSES, async () => {
      await servesFromPostgres((url) =>
        substitute(
          SHELL.rootPostgres,
          ['postgres://user:password@db.example.com:5432/tessera', url],
          LOOPBACK,
        ),
      )
    })

    it("the server README's command serves, with a key for its `...`", PROCESSES, async () => {
      await servesFromPostgres((url) =>
        substitute(
          SHELL.serverPostgres,
          ['postgres://tessera:secret@db.internal:5432/tessera', url],
          ['TESSERA_SIGNING_KEY=...', `TESSERA_SIGNING_KEY=${strongKey()}`],
          LOOPBACK,
        ),
      )
    })
  })
})

describe('resource servers (README.md, packages/express/README.md)', () => {
  it(
    'verify ES256 tokens with the JWKS of `TESSERA_ALGORITHM=ES256 npx tessera serve`',
    PROCESSES,
    async () => {
      const tessera = await startListening(SHELL.expressEs256, {
        cwd: dir('es256'),
        env: { TESSERA_PORT: '0' },
      })
      const apps: Listening[] = []
      try {
        const env = { TESSERA_ISSUER_URL: tessera.url }
        const [express, root, access] = await Promise.all([
          startSnippet('expressJwks', { ...env, PORT: String(await freePort()) }),
          startSnippet('rootResourceServer', { ...env, PORT: String(await freePort()) }),
          signIn(tessera.url, 'ada'),
        ])
        apps.push(express, root)

        expect(await getJson(`${express.url}/articles`)).toMatchObject({ body: { viewer: null } })
        expect(await getJson(`${express.url}/articles`, access)).toMatchObject({
          status: 200,
          body: { viewer: '1' },
        })
        const written = await postJson(`${express.url}/articles`, { title: 'Hi' }, bearer(access))
        expect(written).toMatchObject({ status: 201, body: { title: 'Hi' } })
        // Tessera writes no staff or permission claims by default, as the README says.
        expect(await statusOf(`${express.url}/articles/1`, 'DELETE', access)).toBe(403)
        expect(await statusOf(`${express.url}/publish`, 'POST', access)).toBe(403)
        const forged = await getJson(`${express.url}/articles`, `${access.slice(0, -2)}xx`)
        expect(forged).toMatchObject({ status: 401, body: { code: 'token_not_valid' } })
        expect(forged.headers.get('www-authenticate')).toBe('Bearer realm="api"')

        expect(await postJson(`${root.url}/articles`, {})).toMatchObject({ status: 401 })
        expect(await postJson(`${root.url}/articles`, {}, bearer(access))).toMatchObject({
          status: 201,
          body: { author: '1' },
        })
      } finally {
        for (const app of apps) await app.stop()
        await tessera.stop()
      }
    },
  )

  it(
    'verify HS256 tokens with the shared secret, which a JWKS service cannot',
    PROCESSES,
    async () => {
      const cwd = dir('hs256')
      // The block's two lines in one terminal: the export, then the server with it.
      const [exportLine, serveLine] = SHELL.expressHs256.trim().split('\n')
      const key = await exported(exportLine ?? '', 'TESSERA_SIGNING_KEY', cwd)
      const tessera = await startListening(serveLine ?? '', {
        cwd,
        env: { TESSERA_SIGNING_KEY: key, TESSERA_PORT: '0' },
      })
      const apps: Listening[] = []
      try {
        const access = await signIn(tessera.url, 'ada')
        const shared = await startSnippet('expressHs256', {
          TESSERA_SIGNING_KEY: key,
          PORT: String(await freePort()),
        })
        apps.push(shared)
        expect(await getJson(`${shared.url}/me`, access)).toMatchObject({
          status: 200,
          body: { user: '1' },
        })
        expect((await getJson(`${shared.url}/me`)).status).toBe(401)

        // What the README warns of: an HS256 Tessera publishes no keys.
        const jwks = await startSnippet('expressJwks', {
          TESSERA_ISSUER_URL: tessera.url,
          PORT: String(await freePort()),
        })
        apps.push(jwks)
        expect(await getJson(`${tessera.url}/.well-known/jwks.json`)).toMatchObject({
          body: { keys: [] },
        })
        expect(await getJson(`${jwks.url}/articles`, access)).toMatchObject({
          status: 401,
          body: { code: 'token_not_valid' },
        })
      } finally {
        for (const app of apps) await app.stop()
        await tessera.stop()
      }
    },
  )
})

describe('examples/microservice/README.md', () => {
  it('runs beside Tessera and takes an article from a signed-in user', PROCESSES, async () => {
    const tessera = await startListening(
      SHELL.microserviceStart.split('\n').find((line) => line.includes('TESSERA_ALGORITHM')) ?? '',
      {
        cwd: REPO,
        env: { TESSERA_PORT: '0', TESSERA_DATA_DIR: join(runDir, 'microservice-data') },
      },
    )
    let example: Listening | undefined
    try {
      const exampleLine = SHELL.microserviceStart
        .split('\n')
        .find((line) => line.includes('@tessera/example-microservice'))
      example = await startListening(
        // Tessera's address, and a free port rather than 4000.
        substitute(
          exampleLine ?? '',
          ['http://127.0.0.1:8000', tessera.url],
          ['PORT=4000', 'PORT=0'],
        ),
        { cwd: REPO },
      )
      const script = substitute(
        SHELL.microserviceCurl,
        ['localhost:8000', hostOf(tessera.url)],
        ['localhost:4000', hostOf(example.url)],
      )
      const answers = await curlAnswers(script, dir('microservice-curl'))
      expect(JSON.parse(answers.at(-1) ?? '')).toMatchObject({
        id: 1,
        title: 'Hello',
        author: '1',
      })
    } finally {
      await example?.stop()
      await tessera.stop()
    }
  })
})

describe('packages/core/README.md', () => {
  it('registers, logs in, verifies and logs out on memory stores', PROCESSES, async () => {
    const run = await runSnippet('coreExample', {})
    expect(run).toMatchObject({ status: 0, stdout: 'access token of user 1\ntoken_revoked\n' })
  })
})

describe('packages/client/README.md', () => {
  it('registers, logs in, fetches, lists sessions and logs out from Node', PROCESSES, async () => {
    const cwd = dir('client-node')
    const server = await serveTessera([], { cwd, env: { TESSERA_DATA_DIR: join(cwd, 'data') } })
    try {
      const run = await runSnippet('clientNode', { TESSERA_URL: server.url })
      expect(run).toMatchObject({
        status: 0,
        stdout: "{ msg: 'Hello Peter Parker' }\n1 session\n",
      })
    } finally {
      await server.stop()
    }
  })
})

describe('packages/server/README.md', () => {
  it('generates a strong key', PROCESSES, async () => {
    const key = await runBashOk(SHELL.generateKey, { cwd: dir('generate-key') })
    expect(key.trim()).toMatch(/^[A-Za-z0-9_-]{64}$/)
  })

  it('embeds the server and serves a route of its own', PROCESSES, async () => {
    const server = await startSnippet('serverEmbedding', {
      TESSERA_PORT: '0',
      TESSERA_DATA_DIR: join(runDir, 'embedding-data'),
    })
    try {
      expect(await getJson(`${server.url}/status`)).toMatchObject({
        status: 200,
        body: { ok: true },
      })
      expect((await getJson(`${server.url}/api/hello/`)).status).toBe(401)
    } finally {
      await server.stop()
    }
  })
})

describe('installing from the repository (every README with `npm pack -w`)', () => {
  it(
    'packs what the install line installs, with every Tessera package it needs',
    PROCESSES,
    async () => {
      const manifests = workspaceManifests(REPO)
      // Where each block's `npm pack` writes (its `mkdir -p` makes it) instead of /tmp/tessera-packs.
      const packsOf = (file: string) => join(runDir, `packs-${file.replaceAll('/', '-')}`)
      await Promise.all(
        INSTALLS.map(({ block, script }) =>
          runBashOk(substitute(script, ['/tmp/tessera-packs', packsOf(block.file)]), { cwd: REPO }),
        ),
      )
      const problems = INSTALLS.flatMap(({ block }) => {
        const line = block.text.split('\n').find((each) => each.startsWith('npm install /tmp/'))
        if (line === undefined) return [`${block.file}: no npm install line`]
        return installLineProblems(line, packsOf(block.file), manifests).map(
          (problem) => `${block.file}: ${problem}`,
        )
      })
      expect(problems).toEqual([])
    },
  )
})

describe('every TypeScript block of the READMEs', () => {
  // Last, so that the type-check overlaps the shell blocks above.
  it('compiles without a type error', PROCESSES, async () => {
    expect(Object.fromEntries(await compiled)).toEqual(
      Object.fromEntries(Object.keys(SNIPPETS).map((name) => [name, []])),
    )
  })
})
