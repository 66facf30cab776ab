"""The HTTP layer around /graphql: the endpoint, fast requests, persisted queries, caching,
GraphiQL, export, request observation and health."""
