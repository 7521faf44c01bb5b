// A user's Express 5 app protecting a route with @tessera/express: the resource-server
// middleware with a static HS256 key (no JWKS, no user lookup), then requirePermission.
import { isAuthenticated } from '@tessera/core'
import { requirePermission, tesseraResourceServer } from '@tessera/express'
import express from 'express'
import { HELLO, HOST, PORT, SIGNING_KEY } from './app-settings.js'

const app = express()
app.use(tesseraResourceServer({ keys: [{ alg: 'HS256', secret: SIGNING_KEY }] }))
app.get('/api/hello/', requirePermission(isAuthenticated), (_request, response) => {
  response.json(HELLO)
})
app.listen(PORT, HOST)
