import { readFileSync } from 'node:fs'

/** The fields of this package's package.json the server shows (OpenAPI info, `--version`). */
export interface PackageInfo {
  readonly name: string
  readonly version: string
  readonly description: string
}

let cached: PackageInfo | undefined

/**
 * Name, version and description of `@tessera/server`, read once from its package.json (one
 * directory above both `src/` and `dist/`).
 */
export function packageInfo(): PackageInfo {
  if (cached === undefined) {
    const data = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
    cached = Object.freeze({
      name: String(data.name),
      version: String(data.version),
      description: String(data.description ?? ''),
    })
  }
  return cached
}
