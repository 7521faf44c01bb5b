// Tools the bench needs from Debian's packages, installed on demand.
import { spawnSync } from 'node:child_process'

/**
 * Installs `command` (Debian package of the same name) with apt-get when it is not on the PATH;
 * runs apt-get update only if the first install fails.
 */
export function ensureAptCommand(command, log) {
  const has = () =>
    spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0
  if (has()) return
  log(`${command} not found: apt-get install -y ${command}`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const install = () => spawnSync('apt-get', ['install', '-y', command], { stdio: 'inherit', env })
  if (install().status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env })
    if (install().status !== 0 || !has()) throw new Error(`could not install ${command} (apt-get)`)
  }
}
