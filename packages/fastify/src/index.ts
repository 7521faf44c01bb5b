// Intentionally empty: this package is a placeholder until its issue lands.
export {}
