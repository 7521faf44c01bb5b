// A node:cluster primary for the bus conformance suite: it forks one worker per bus the test
// opens, relays revocation messages between them with the server's own relay (as `tessera serve
// --workers N` does), and carries the test's commands and the workers' observations over IPC.
// Each worker runs a real ClusterRevocationBus from the built server package.
import cluster from 'node:cluster'

const dist = new URL('../../dist/cluster/cluster-revocation-bus.js', import.meta.url)

if (cluster.isPrimary) {
  const { relayRevocations } = await import(dist)
  const workers = new Map()
  const all = () => Object.values(cluster.workers ?? {}).filter(Boolean)
  const send = (message) => process.send?.(message)

  process.on('message', (command) => {
    if (command.op === 'open') {
      const worker = cluster.fork()
      workers.set(command.name, worker)
      worker.on('message', (message) => {
        relayRevocations(message, all())
        if (message?.observed !== undefined) send({ ...message.observed, name: command.name })
      })
    } else if (command.op === 'raw') {
      relayRevocations({ type: 'tessera:revocation', event: command.payload }, all())
    } else if (command.op === 'exit') {
      for (const worker of all()) worker.kill()
      process.exit(0)
    } else {
      workers.get(command.name)?.send({ command })
    }
  })
  process.on('disconnect', () => {
    for (const worker of all()) worker.kill()
    process.exit(0)
  })
  send({ op: 'started' })
} else {
  const { ClusterRevocationBus } = await import(dist)
  const { parseRevocationEvent, serializeRevocationEvent } = await import('@tessera/core')
  const observe = (observed) => process.send?.({ observed })
  const bus = new ClusterRevocationBus({
    onError: (error) => observe({ op: 'reported', error: String(error) }),
  })
  // A handler that throws on every event, subscribed first: the bus must still deliver to the
  // next one (what the suite's own throwing-handler case checks on the other buses).
  bus.subscribe(() => {
    throw new Error('handler bug')
  })
  bus.subscribe((event) => observe({ op: 'delivered', event: serializeRevocationEvent(event) }))
  bus.on('down', () => observe({ op: 'status', status: 'down' }))
  bus.on('up', () => observe({ op: 'status', status: 'up' }))
  process.on('message', async (message) => {
    const { command } = message ?? {}
    if (command?.op === 'publish') {
      await bus.publish(parseRevocationEvent(command.event))
      observe({ op: 'done', id: command.id })
    } else if (command?.op === 'close') {
      await bus.close()
      observe({ op: 'done', id: command.id })
    }
  })
  observe({ op: 'opened', connected: bus.connected })
}
