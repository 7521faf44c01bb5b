// `npm start` entry point. The HTTP server lands with the server issue; until then say so plainly.
process.stdout.write(
  'Tessera server coming: the HTTP server is not built yet. The token engine lives in @tessera/core.\n',
)
