import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** What the install check reads of a package.json. */
export interface Manifest {
  readonly name: string
  readonly dependencies?: Readonly<Record<string, string>>
  readonly peerDependencies?: Readonly<Record<string, string>>
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>>
}

/** The package.json of every workspace of the repository at `repo`, by package name. */
export function workspaceManifests(repo: string): Map<string, Manifest> {
  const root = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
    readonly workspaces: readonly string[]
  }
  return new Map(
    root.workspaces.map((folder) => {
      const text = readFileSync(join(repo, folder, 'package.json'), 'utf8')
      const manifest = JSON.parse(text) as Manifest
      return [manifest.name, manifest]
    }),
  )
}

const TARBALL = /\/tessera-([a-z]+)-\d+\.\d+\.\d+\.tgz$/

/**
 * What is wrong with `line`, an `npm install <tarball>... <package>...` of a README, once the
 * tarballs it names are in `packs` (where `npm pack` put them, in place of `/tmp/tessera-packs`):
 * a tarball that is missing or no workspace's, a Tessera package one of them depends on but
 * the line leaves out (npm would ask the registry for it: 404), a required peer that neither the
 * line nor an installed package brings. Empty when the line works.
 */
export function installLineProblems(
  line: string,
  packs: string,
  manifests: ReadonlyMap<string, Manifest>,
): string[] {
  const words = line.trim().split(/\s+/).slice(2)
  const problems: string[] = []
  const installed: Manifest[] = []
  for (const word of words.filter((each) => each.endsWith('.tgz'))) {
    const manifest = manifests.get(`@tessera/${TARBALL.exec(word)?.[1]}`)
    if (manifest === undefined) problems.push(`${word} is the tarball of no workspace`)
    else installed.push(manifest)
    const file = join(packs, word.slice(word.lastIndexOf('/') + 1))
    if (!existsSync(file)) problems.push(`${word} is not what npm pack wrote`)
  }
  const names = new Set(installed.map((manifest) => manifest.name))
  const brought = new Set([
    ...words,
    ...installed.flatMap((manifest) => Object.keys(manifest.dependencies ?? {})),
  ])
  for (const manifest of installed) {
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      if (dependency.startsWith('@tessera/') && !names.has(dependency)) {
        problems.push(`${manifest.name} needs the tarball of ${dependency}`)
      }
    }
    for (const [peer, meta] of Object.entries(manifest.peerDependenciesMeta ?? {})) {
      if (meta.optional === true) brought.add(peer)
    }
    for (const peer of Object.keys(manifest.peerDependencies ?? {})) {
      if (!brought.has(peer)) problems.push(`${manifest.name} needs its peer ${peer}`)
    }
  }
  return problems
}
