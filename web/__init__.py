"""The HTTP and websocket surface `app.create_app` puts together: the
GraphQL endpoint, the other endpoints, their routes and middleware, and the
process's runtime with its start-up and shut-down. No business rules."""
