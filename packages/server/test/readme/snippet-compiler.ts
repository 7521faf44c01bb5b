import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, join } from 'node:path'

/**
 * What a reader's project would compile the examples with: ES modules with top-level await
 * (`NodeNext`), strict. Types come from the packages' built `.d.ts`, as an installed package's
 * would, since `@tessera/source` is not among the conditions.
 */
const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    types: ['node'],
    skipLibCheck: true,
  },
  include: ['*.ts'],
}

const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc')
// `file.ts(3,7): error TS2322: ...`, continued on indented lines.
const DIAGNOSTIC = /^(.+?)\(\d+,\d+\): error TS\d+: /

/**
 * Writes each source as `<name>.ts` in `dir` (beside a `package.json` that makes them ES
 * modules), type-checks them as one project with `tsc` and emits `<name>.js` next to each, even
 * when they have errors. Resolves to each name's type errors (empty: it compiled cleanly).
 *
 * `tsc` runs in a process of its own, so that the tests can meanwhile run other blocks: the
 * type-check costs several seconds of CPU (the types of Node, Fastify, Express).
 */
export async function compileSnippets(
  dir: string,
  sources: Readonly<Record<string, string>>,
): Promise<Map<string, string[]>> {
  writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n')
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(TSCONFIG, null, 2)}\n`)
  const errors = new Map<string, string[]>()
  for (const [name, text] of Object.entries(sources)) {
    writeFileSync(join(dir, `${name}.ts`), text)
    errors.set(name, [])
  }
  const child = spawn(process.execPath, [TSC, '-p', dir, '--pretty', 'false'], { cwd: dir })
  let output = ''
  child.stdout.on('data', (chunk) => {
    output += chunk
  })
  child.stderr.on('data', (chunk) => {
    output += chunk
  })
  const status = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', resolve)
  })
  let current: string[] | undefined
  for (const line of output.split('\n')) {
    const file = DIAGNOSTIC.exec(line)?.[1]
    if (file !== undefined) {
      current = errors.get(basename(file, '.ts'))
      if (current === undefined) throw new Error(`tsc: an error outside the snippets:\n${output}`)
      current.push(line)
    } else if (line.startsWith(' ') && current !== undefined) {
      current.push(line)
    } else if (line.trim() !== '') {
      throw new Error(`tsc said what no snippet explains (exit ${status}):\n${output}`)
    }
  }
  return errors
}
