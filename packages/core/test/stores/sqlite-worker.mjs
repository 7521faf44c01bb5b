// One contender in sqlite-concurrency.test.ts: its own thread, its own better-sqlite3 connection.
// Plain .mjs importing the BUILT package: the test starts it with execArgv [] so that vitest's
// --conditions (@tessera/source) do not reach it and Node resolves @tessera/core to dist/.
import { parentPort, workerData } from 'node:worker_threads'
import { AuthService, KeyManager, loadSettings } from '@tessera/core'
import { createSqliteStores, openSqliteDatabase } from '@tessera/core/sqlite'

const { path, gate, task, jti, now, successor, refreshToken, signingKey, method, args, clock } =
  workerData
const go = new Int32Array(gate)
const database = await openSqliteDatabase(path)

try {
  // 'consume' prepares before the gate so that only the consumes race; 'migrate' races the
  // pragmas and the migration too, as when many processes start on a new file.
  // 'rotate' runs the whole service (verify, user check, consume, sign) as a server process would.
  const prepared =
    task === 'migrate' ? undefined : await createSqliteStores({ database, migrate: false })
  const settings = loadSettings({
    env: {},
    configFile: false,
    overrides: { SIGNING_KEY: signingKey ?? 'unused-0123456789abcdef0123456789' },
  })
  const auth = prepared && new AuthService({ stores: prepared, settings })
  parentPort.postMessage({ ready: true })
  // Block until the main thread opens the gate for everyone at once.
  Atomics.wait(go, 0, 0)
  let result
  if (task === 'consume') {
    result = await prepared.sessions.consumeRefreshToken(jti, now, successor)
  } else if (task === 'keys') {
    // One KeyStore call, e.g. insertFirstCurrent or rotate.
    result = await prepared.keys[method](...args)
  } else if (task === 'passkeys') {
    // One PasskeyStore call: consumeChallenge or usePasskey.
    result = await prepared.passkeys[method](...args)
  } else if (task === 'manager') {
    // One KeyManager call, as each instance's start-up or rotation timer would make it.
    const manager = new KeyManager({ store: prepared.keys, retention: 3600, clock: () => clock })
    result = await manager[method](...args)
  } else if (task === 'rotate') {
    result = await auth.rotateRefresh(refreshToken, { ip: '127.0.0.1', device: 'worker' }).then(
      (rotated) => ({ rotated: rotated.refresh.jti }),
      (error) => ({ refused: error.code }),
    )
  } else {
    result = await (await createSqliteStores({ database, migrate: false })).migrate()
  }
  parentPort.postMessage({ result })
} catch (error) {
  parentPort.postMessage({ error: `${error?.name}: ${error?.message}` })
} finally {
  database.close()
}
