import { Worker } from 'node:worker_threads'

const WORKER = new URL('./sqlite-worker.mjs', import.meta.url)

type WorkerReply<T> = { ready: true } | { result: T } | { error: string }

/**
 * Starts one worker per job, each with its own connection, waits until all are ready, then
 * releases them at the same instant through an Atomics gate, and collects their answers.
 */
export async function race<T>(jobs: Record<string, unknown>[]): Promise<T[]> {
  const gate = new SharedArrayBuffer(4)
  let ready = 0
  let release: () => void = () => {}
  const allReady = new Promise<void>((resolve) => {
    release = resolve
  })
  const results = jobs.map(
    (job) =>
      new Promise<T>((resolve, reject) => {
        // execArgv: [] so that no --conditions flag points the worker at TypeScript sources.
        const worker = new Worker(WORKER, { workerData: { ...job, gate }, execArgv: [] })
        worker.on('message', (reply: WorkerReply<T>) => {
          if ('ready' in reply) {
            ready += 1
            if (ready === jobs.length) release()
          } else if ('result' in reply) resolve(reply.result)
          else reject(new Error(`worker failed: ${reply.error}`))
        })
        worker.on('error', reject)
        worker.on('exit', (code) => {
          if (code !== 0) reject(new Error(`worker exited with ${code}`))
        })
      }),
  )
  try {
    // Settles early only if a worker failed before getting ready.
    await Promise.race([allReady, Promise.all(results)])
  } finally {
    // Always open the gate, so that no worker stays blocked if another one failed.
    const go = new Int32Array(gate)
    Atomics.store(go, 0, 1)
    Atomics.notify(go, 0)
  }
  return Promise.all(results)
}
