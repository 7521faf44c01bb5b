import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** A fenced code block of a README: what a reader would copy. */
export interface FencedBlock {
  /** The README's path from the repository root, e.g. `packages/express/README.md`. */
  readonly file: string
  /** 1-based line of the opening fence. */
  readonly line: number
  /** The info string's first word (`sh`, `ts`), or `''` for a bare fence. */
  readonly lang: string
  /** The block's lines, joined with `\n`, with a final newline. */
  readonly text: string
  /** Its first non-blank line, trimmed: how the tests name and find it. */
  readonly first: string
}

// CommonMark fences: three or more backticks or tildes, indented at most three spaces; the
// closing fence uses the same character, at least as many times, and nothing else.
const OPENING = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/

/**
 * The fenced code blocks of `markdown`, in order. Throws on a fence left open: the rest of the
 * file would silently be one block.
 */
export function fencedBlocks(markdown: string, file: string): FencedBlock[] {
  const lines = markdown.split('\n')
  const blocks: FencedBlock[] = []
  for (let index = 0; index < lines.length; index++) {
    const opening = OPENING.exec(lines[index] ?? '')
    if (opening === null) continue
    const fence = opening[1] as string
    const closing = new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`)
    const end = lines.findIndex((line, at) => at > index && closing.test(line))
    if (end === -1) throw new Error(`${file}:${index + 1}: the code fence is never closed`)
    const body = lines.slice(index + 1, end)
    blocks.push({
      file,
      line: index + 1,
      lang: opening[2] ?? '',
      text: `${body.join('\n')}\n`,
      first: body.find((line) => line.trim() !== '')?.trim() ?? '',
    })
    index = end
  }
  return blocks
}

/** Every README of the repository: the root's, each package's and each example's. */
export function readmeFiles(repo: string): string[] {
  const nested = ['packages', 'examples'].flatMap((folder) =>
    readdirSync(join(repo, folder), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${folder}/${entry.name}/README.md`)
      .filter((file) => existsSync(join(repo, file))),
  )
  return ['README.md', ...nested.sort()]
}

/** The fenced blocks of every README of the repository. */
export function readmeBlocks(repo: string): FencedBlock[] {
  return readmeFiles(repo).flatMap((file) =>
    fencedBlocks(readFileSync(join(repo, file), 'utf8'), file),
  )
}
