"""Use cases as plain async functions: callable from GraphQL, jobs, the CLI
and tests alike. Nothing here knows about Strawberry."""
