import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

// What the package promises: it runs in a browser as it is, so nothing from Node and nothing
// to install beside it, except @simplewebauthn/browser for the passkey calls, an optional peer
// loaded by them alone (a dynamic import in one module).
const src = new URL('../src/', import.meta.url)
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))

describe('@tessera/client', () => {
  it('has no runtime dependency; @simplewebauthn/browser is an optional peer', () => {
    expect(manifest.dependencies ?? {}).toEqual({})
    expect(Object.keys(manifest.peerDependencies ?? {})).toEqual(['@simplewebauthn/browser'])
    expect(manifest.peerDependenciesMeta['@simplewebauthn/browser']).toEqual({ optional: true })
  })

  it('loads @simplewebauthn/browser only by a dynamic import, in the passkey ceremonies', () => {
    for (const file of readdirSync(src).filter((name) => name.endsWith('.ts'))) {
      const text = readFileSync(new URL(file, src), 'utf8')
      const dynamic = [...text.matchAll(/import\('([^']+)'\)/g)].map((match) => match[1])
      expect(dynamic, file).toEqual(
        file === 'webauthn-ceremonies.ts'
          ? ['@simplewebauthn/browser', '@simplewebauthn/browser']
          : [],
      )
    }
  })

  it('imports nothing but its own modules: no node:*, no bare specifier', () => {
    const files = readdirSync(src).filter((name) => name.endsWith('.ts'))
    expect(files.length).toBeGreaterThan(5)
    for (const file of files) {
      const text = readFileSync(new URL(file, src), 'utf8')
      const specifiers = [...text.matchAll(/from '([^']+)'/g)].map((match) => match[1])
      for (const specifier of specifiers) expect(specifier, file).toMatch(/^\.\/[\w-]+\.js$/)
      expect(text, file).not.toMatch(/\brequire\(|\bBuffer\b|\bprocess\./)
    }
  })
})
