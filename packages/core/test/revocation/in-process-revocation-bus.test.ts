import { InProcessRevocationBus } from '@tessera/core'
import { describeBusConformance } from './bus-conformance.js'

// Handles sharing one channel stand for the processes; each closes on its own.
describeBusConformance(
  'in-process',
  async () => {
    const channel = new InProcessRevocationBus()
    return {
      open: async () => new InProcessRevocationBus(channel),
      close: () => channel.close(),
    }
  },
  {
    interrupt: 'one process has no connection to cut',
    publishRaw: 'events travel as objects, never as payloads to parse',
  },
)
