"""Live events: published after commit, delivered over GraphQL
subscriptions, across processes through Redis when it is configured."""
