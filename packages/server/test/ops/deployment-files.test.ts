import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { settingSpecs } from '@tessera/core'
import { serverSettingSpecs } from '@tessera/server'
import { validate } from 'dockerfile-utils'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { REPO } from '../readme/readme-blocks.js'

// No Docker engine and no GitHub runs here: what can be checked of the files users and CI run
// elsewhere is checked here, so that a typo fails in `npm test`, not on someone's machine.
const read = (path: string) => readFileSync(join(REPO, path), 'utf8')
const settingEnvs = new Set(
  [...Object.values(settingSpecs), ...Object.values(serverSettingSpecs)].flatMap((spec) =>
    spec.secret ? [spec.env, `${spec.env}_FILE`] : [spec.env],
  ),
)

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile')

  it('passes the Dockerfile linter (dockerfile-utils, the VS Code Docker extension’s)', () => {
    expect(validate(dockerfile)).toEqual([])
  })

  it('runs the built CLI as the node user, in production, on a supported Node', () => {
    expect(dockerfile).toMatch(/^FROM node:(22|24)-/m)
    expect(dockerfile).toMatch(/^USER node$/m)
    const manifest = JSON.parse(read('packages/server/package.json')) as {
      bin: { tessera: string }
    }
    expect(dockerfile).toContain(`ENTRYPOINT ["node", "packages/server/${manifest.bin.tessera}"]`)
    // The linter does not read exec forms: every JSON array must parse.
    for (const form of dockerfile.matchAll(/^.*\b(?:ENTRYPOINT|CMD|VOLUME) (\[.*\])$/gm)) {
      expect(() => JSON.parse(form[1] as string), form[0]).not.toThrow()
    }
    for (const variable of dockerfile.matchAll(/\b(TESSERA_[A-Z_]+)=/g)) {
      expect(settingEnvs, variable[1]).toContain(variable[1])
    }
  })

  it('keeps the context small: node_modules, builds and secrets stay out', () => {
    const ignored = read('.dockerignore').split('\n')
    for (const entry of ['**/node_modules', '**/dist', 'secrets', '.git']) {
      expect(ignored).toContain(entry)
    }
  })
})

describe('compose.yaml', () => {
  // Compose reads YAML merge keys (`<<: *tessera`).
  const compose = parse(read('compose.yaml'), { merge: true }) as {
    services: Record<string, { environment?: Record<string, string>; secrets?: string[] }>
    secrets: Record<string, { file: string }>
  }

  it('runs two instances on PostgreSQL and Redis, secrets from files', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'postgres',
      'redis',
      'tessera-1',
      'tessera-2',
    ])
    for (const name of ['tessera-1', 'tessera-2']) {
      const service = compose.services[name]
      const environment = service?.environment ?? {}
      expect(environment.TESSERA_SIGNING_KEY_FILE).toBe('/run/secrets/signing_key')
      expect(environment.TESSERA_DATABASE_URL_FILE).toBe('/run/secrets/database_url')
      for (const variable of Object.keys(environment))
        expect(settingEnvs, variable).toContain(variable)
      for (const secret of service?.secrets ?? []) expect(compose.secrets).toHaveProperty(secret)
    }
  })
})

describe('.github/workflows/ci.yml', () => {
  const workflow = parse(read('.github/workflows/ci.yml')) as {
    jobs: Record<
      string,
      {
        services?: Record<string, unknown>
        env?: Record<string, string>
        steps: { run?: string }[]
      }
    >
  }

  it('runs .ci/run with PostgreSQL and Redis, and the audit of what users install', () => {
    const test = workflow.jobs.test
    expect(Object.keys(test?.services ?? {}).sort()).toEqual(['postgres', 'redis'])
    expect(test?.env).toMatchObject({
      TESSERA_TEST_POSTGRES_URL: expect.stringMatching(/^postgres:\/\//),
      TESSERA_TEST_REDIS_URL: expect.stringMatching(/^redis:\/\//),
      TESSERA_TEST_CHROMIUM: expect.any(String),
    })
    expect(test?.steps.map((step) => step.run)).toContain('bash .ci/run')
    expect(workflow.jobs.audit?.steps.map((step) => step.run)).toContain(
      'npm audit --omit=dev --audit-level=high',
    )
  })
})

describe('renovate.json', () => {
  const config = JSON.parse(read('renovate.json')) as {
    extends: string[]
    packageRules: { matchPackageNames?: string[]; groupName?: string; description: string }[]
  }
  const declared = new Set<string>()
  for (const path of [
    'package.json',
    ...['core', 'fastify', 'express', 'client', 'server'].map(
      (name) => `packages/${name}/package.json`,
    ),
  ]) {
    const manifest = JSON.parse(read(path)) as Record<string, Record<string, string> | undefined>
    for (const field of [
      'dependencies',
      'devDependencies',
      'peerDependencies',
      'optionalDependencies',
    ]) {
      for (const name of Object.keys(manifest[field] ?? {})) declared.add(name)
    }
  }

  it('names only packages the project depends on (a typo would silently match nothing)', () => {
    expect(config.extends).toContain('config:recommended')
    for (const rule of config.packageRules) {
      expect(rule.description).not.toBe('')
      for (const name of rule.matchPackageNames ?? []) {
        if (name.includes('*')) {
          const prefix = name.slice(0, name.indexOf('*'))
          expect(
            [...declared].some((dep) => dep.startsWith(prefix)),
            name,
          ).toBe(true)
        } else expect(declared, name).toContain(name)
      }
    }
  })
})
