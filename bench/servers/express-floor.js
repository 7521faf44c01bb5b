// The floor of any Express server on this machine: Express 5 alone, the embedded apps' route
// answering the hello JSON with res.json, no middleware, no token checked. Not a peer: a
// reference row telling what the framework the Express apps are built on costs by itself.
import express from 'express'

const app = express()
app.get('/api/hello/', (_request, response) => {
  response.json({ msg: 'Hello Peter Parker' })
})
app.listen(Number(process.env.PORT), '127.0.0.1')
