import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { type SettingSpec, SettingsError } from '@tessera/core'

type Env = Readonly<Record<string, string | undefined>>

/**
 * The environment with each secret's `TESSERA_<NAME>_FILE` read into `TESSERA_<NAME>`: the
 * Docker and Kubernetes secrets form, which keeps secrets out of `docker inspect`, `/proc/<pid>/environ`
 * and shell history. One trailing newline is dropped (what `echo` and editors add). Setting both
 * forms is refused, and so is a file that cannot be read; neither message holds the secret.
 */
export function readSecretFiles(
  env: Env,
  specs: readonly Pick<SettingSpec<unknown>, 'name' | 'env' | 'secret'>[],
  cwd: string,
): Env {
  let resolved: Record<string, string | undefined> | undefined
  for (const spec of specs) {
    if (!spec.secret) continue
    const fileVariable = `${spec.env}_FILE`
    const path = env[fileVariable]
    if (path === undefined || path === '') continue
    if (env[spec.env] !== undefined) {
      throw new SettingsError(spec.name, `set ${spec.env} or ${fileVariable}, not both`)
    }
    let text: string
    try {
      text = readFileSync(resolve(cwd, path), 'utf8')
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable'
      throw new SettingsError(spec.name, `cannot read ${fileVariable}=${path} (${reason})`)
    }
    resolved ??= { ...env }
    resolved[spec.env] = text.replace(/\r?\n$/, '')
  }
  return resolved ?? env
}
