import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

// What the package promises: it runs in a browser as it is, so nothing from Node and nothing
// to install beside it.
const src = new URL('../src/', import.meta.url)
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))

describe('@tessera/client', () => {
  it('has no runtime dependency', () => {
    expect(manifest.dependencies ?? {}).toEqual({})
    expect(manifest.peerDependencies ?? {}).toEqual({})
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
