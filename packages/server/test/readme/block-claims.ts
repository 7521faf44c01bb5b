import type { FencedBlock } from './markdown-fences.js'

/** A whole block no test runs, and why. */
export interface ExcusedBlock {
  readonly file: string
  /** Text the block contains (it must identify one block of the file). */
  readonly containing: string
  readonly reason: string
}

/** Lines of run blocks that are not run, and why. */
export interface LineNotRun {
  /** The README, or `'*'` for every README. */
  readonly file: string
  /** A line is left out when its text, trimmed, starts with this. */
  readonly startsWith: string
  readonly reason: string
}

/**
 * The bookkeeping of which README block is run by which test, so that a block nobody runs or
 * excuses fails the suite.
 */
export class BlockClaims {
  readonly #blocks: readonly FencedBlock[]
  readonly #notRun: readonly LineNotRun[]
  readonly #claimed = new Set<FencedBlock>()
  readonly #usedNotRun = new Set<LineNotRun>()

  constructor(blocks: readonly FencedBlock[], notRun: readonly LineNotRun[]) {
    this.#blocks = blocks
    this.#notRun = notRun
  }

  /** The one block of `file` whose text contains `containing`, now counted as run. */
  claim(file: string, containing: string): FencedBlock {
    const block = this.find(file, containing)
    this.#claimed.add(block)
    return block
  }

  /** Every block containing `containing`, in any README, now counted as run. */
  claimAll(containing: string): FencedBlock[] {
    const blocks = this.#blocks.filter((block) => block.text.includes(containing))
    for (const block of blocks) this.#claimed.add(block)
    return blocks
  }

  /** The one block of `file` whose text contains `containing`; throws on none or several. */
  find(file: string, containing: string): FencedBlock {
    const found = this.#blocks.filter(
      (block) => block.file === file && block.text.includes(containing),
    )
    const [block] = found
    if (found.length !== 1 || block === undefined) {
      throw new Error(`${file}: ${found.length} code blocks contain ${JSON.stringify(containing)}`)
    }
    return block
  }

  /** The block's text without the lines {@link LineNotRun} leaves out. */
  runnable(block: FencedBlock): string {
    return block.text
      .split('\n')
      .filter((line) => {
        const rule = this.#notRun.find(
          (entry) =>
            (entry.file === '*' || entry.file === block.file) &&
            line.trim().startsWith(entry.startsWith),
        )
        if (rule !== undefined) this.#usedNotRun.add(rule)
        return rule === undefined
      })
      .join('\n')
  }

  /** Blocks neither claimed nor excused; excuses matching no block, or a claimed one. */
  problems(excused: readonly ExcusedBlock[]): string[] {
    const problems: string[] = []
    const excusedBlocks = new Set<FencedBlock>()
    for (const excuse of excused) {
      try {
        const block = this.find(excuse.file, excuse.containing)
        if (this.#claimed.has(block)) problems.push(`${where(block)} is both run and excused`)
        excusedBlocks.add(block)
      } catch (error) {
        problems.push(`stale excuse: ${(error as Error).message}`)
      }
    }
    for (const block of this.#blocks) {
      if (!this.#claimed.has(block) && !excusedBlocks.has(block)) {
        problems.push(`${where(block)} (${block.first}) is neither run nor excused`)
      }
    }
    return problems
  }

  /** Line rules no run block used: stale, or the block that needed them is gone. */
  unusedLineRules(): LineNotRun[] {
    return this.#notRun.filter((rule) => !this.#usedNotRun.has(rule))
  }
}

function where(block: FencedBlock): string {
  return `${block.file}:${block.line}`
}

/** `text` with each `[from, to]` replaced; throws when `from` is not in it (the README moved). */
export function substitute(text: string, ...pairs: readonly (readonly [string, string])[]): string {
  let result = text
  for (const [from, to] of pairs) {
    if (!result.includes(from)) throw new Error(`expected ${JSON.stringify(from)} in:\n${text}`)
    result = result.replaceAll(from, to)
  }
  return result
}
