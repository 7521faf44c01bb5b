// workers: hello on `tessera serve --workers 2` (node:cluster) vs one process, both started
// fresh on one new data dir (not the suite's long-running main server: age alone changed its
// rate).
import { throughputTable } from '../lib/report.js'
import { alternate } from '../lib/rounds.js'
import { formatRatioWithRounds, roundRatios } from '../lib/stats.js'
import { DEFAULT_NOTE, prepareInstance, startTessera, tesseraTokenSigner } from '../lib/tessera.js'

export const title = 'workers: hello with --workers 2 vs 1'

export async function run(context) {
  const { rounds, seconds } = context.options
  const instance = await prepareInstance('workers')
  context.log('starting tessera (1 process) and tessera --workers 2 on one new data dir')
  const singleServer = await startTessera(instance, { label: 'tessera (1 process)' })
  const single = { ...singleServer, sign: await tesseraTokenSigner(singleServer, instance.userIds) }
  const cluster = await startTessera(instance, { workers: 2, label: 'tessera --workers 2' })
  try {
    const targets = [
      await context.helloTarget(single, { name: 'tessera (1 process)' }),
      await context.helloTarget({ ...cluster, sign: single.sign }, { name: 'tessera --workers 2' }),
    ]
    const results = await alternate(targets, { rounds, seconds, log: context.log })
    const { markdown, medians } = throughputTable(results, { baseline: 'tessera (1 process)' })
    const gain = medians.get('tessera --workers 2') / medians.get('tessera (1 process)')
    return {
      markdown:
        `32 connections, ${seconds} s per round, ${rounds} rounds. On 2 cores wrk takes a good ` +
        `part of one core, so a second worker has little room to add. ${DEFAULT_NOTE} The workers ` +
        `share the primary's stdout, one file.\n\n${markdown}`,
      goals: [
        {
          goal: '--workers 2 vs 1 (no target; reported)',
          measured: formatRatioWithRounds(
            gain,
            roundRatios(results, 'tessera --workers 2', 'tessera (1 process)'),
          ),
          pass: undefined,
        },
      ],
      chart: { results, subject: 'tessera --workers 2' },
    }
  } finally {
    await cluster.stop()
    await singleServer.stop()
  }
}
