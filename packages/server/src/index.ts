// Intentionally empty: buildServer() arrives with the server issue.
export {}
