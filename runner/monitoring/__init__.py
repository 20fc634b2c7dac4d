"""Operations while `ibrun run` runs: health/readiness/metrics over HTTP, the staleness watchdog,
alerts. Pure logic (`watchdog`, `readiness`, `ratelimit`, `plan`, `stats`, `urls`) imports
nothing heavy; `metrics`/`server`/`notify` import prometheus-client, http.server and apprise, and
`hooks`/`operations` nautilus — all only from the run path (never `ibrun validate`)."""
