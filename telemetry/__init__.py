"""What every part of the server reports about itself: the metrics
(`telemetry.metrics`) and the request id on every log line
(`telemetry.logs`).

The lowest layer of the import contracts, below `models/`: it imports
nothing of the project, so that `web/`, `schema/`, the use cases in
`resolvers/`, `jobs/` and `realtime/` (which never import each other
upwards) can all count what they do in one place."""
