import { tesseraResourceServer } from '@tessera/express'
import { createArticlesApp } from './articles-app.js'
import { connectRevocations } from './redis-revocation.js'

/**
 * Starts the example on PORT (default 4000). TESSERA_ISSUER_URL is Tessera's base URL (keys from
 * `<url>/.well-known/jwks.json`); TESSERA_JWKS_URL, when set, is fetched instead. With
 * TESSERA_REDIS_URL (and TESSERA_REDIS_PREFIX, default `tessera:`) as Tessera's, a logout
 * takes effect here at once rather than when the access token expires.
 */
const issuer = process.env.TESSERA_ISSUER_URL ?? 'http://127.0.0.1:8000'
const jwksUri = process.env.TESSERA_JWKS_URL
const redisUrl = process.env.TESSERA_REDIS_URL
const port = Number(process.env.PORT ?? 4000)
const host = process.env.HOST ?? '127.0.0.1'

const revocations =
  redisUrl === undefined
    ? undefined
    : await connectRevocations(redisUrl, process.env.TESSERA_REDIS_PREFIX ?? 'tessera:')
const tessera = tesseraResourceServer({
  issuer,
  ...(jwksUri === undefined ? {} : { jwksUri }),
  ...(revocations === undefined ? {} : { revocation: { bus: revocations.bus } }),
})
const app = createArticlesApp(tessera)
const server = app.listen(port, host, () => {
  const address = server.address()
  const bound = typeof address === 'object' && address !== null ? address.port : port
  console.log(
    `articles API listening on http://${host}:${bound} (keys from ${jwksUri ?? issuer}, ` +
      `revocations: ${revocations === undefined ? 'none' : 'Redis'})`,
  )
})
const stop = () => {
  tessera.close()
  server.close(() => {
    Promise.resolve(revocations?.close()).then(
      () => process.exit(0),
      () => process.exit(1),
    )
  })
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
