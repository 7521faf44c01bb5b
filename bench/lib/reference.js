// The reference simplejwt server (Django + DRF + simplejwt under gunicorn, 2 workers), only with
// BENCH_REFERENCE=1: started by its own run.sh on port 8700 with a fresh state dir.
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import path from 'node:path'
import { expectResponse, request } from './http.js'
import { onCleanup } from './processes.js'
import { requireInstrument, siblingSharedPath } from './shared-dir.js'
import { PASSWORD, SIGNING_KEY } from './tessera.js'

const RUN_SH =
  process.env.BENCH_REFERENCE_RUN ?? siblingSharedPath('reference', 'simplejwt', 'run.sh')
const PORT = 8700

export const referenceEnabled = () => process.env.BENCH_REFERENCE === '1'

/** Starts the reference and registers user 1 (Peter Parker); resolves to { name, url, stop }. */
export async function startReference(workDir, log) {
  const refDir = path.join(workDir, 'simplejwt')
  rmSync(refDir, { recursive: true, force: true })
  const env = {
    ...process.env,
    REF_DIR: refDir,
    REF_PORT: String(PORT),
    REF_SIGNING_KEY: SIGNING_KEY,
  }
  requireInstrument(RUN_SH, 'the reference simplejwt server', 'BENCH_REFERENCE_RUN')
  log('starting the reference simplejwt server (run.sh)')
  const run = spawnSync(RUN_SH, [], { env, encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`${RUN_SH} failed:\n${run.stdout}${run.stderr}`)
  const stop = onCleanup('simplejwt', () => {
    spawnSync(RUN_SH, ['stop'], { env, stdio: 'ignore' })
  })
  const url = `http://127.0.0.1:${PORT}`
  const registered = await request(`${url}/api/register/`, {
    method: 'POST',
    body: {
      username: 'peter',
      password: PASSWORD,
      email: 'peter@example.com',
      first_name: 'Peter',
      last_name: 'Parker',
    },
  })
  expectResponse('simplejwt register', registered, 201)
  return { name: 'simplejwt', url, stop, credentials: { username: 'peter', password: PASSWORD } }
}
