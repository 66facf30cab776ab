// A graphql-ws client for tests/test_subscriptions.py: connects to the URL given, starts the
// subscriptions given, and prints one JSON line for everything it sees (connected, each
// message, errors, completion, the close code and reason), so that the test can await each.
//
// Usage: node client.mjs '{"url": "ws://…/graphql", "subscriptions": [{"query": …}], "retry": true}'
// ("variables" beside "query" as needed; "disablePong": true for a client that never pongs).
import { createClient } from "graphql-ws";

const options = JSON.parse(process.argv[2]);
const print = (event) => process.stdout.write(JSON.stringify(event) + "\n");

const client = createClient({
  url: options.url,
  // Connect at once, not on the first subscription, and keep the connection between them.
  lazy: false,
  // Retry after any close but a fatal one, quickly: the test restarts the server.
  retryAttempts: options.retry ? 100 : 0,
  shouldRetry: () => Boolean(options.retry),
  retryWait: () => new Promise((resolve) => setTimeout(resolve, 200)),
  // A client that never answers the server's pings, to be closed for it.
  disablePong: Boolean(options.disablePong),
  on: {
    connected: () => print({ event: "connected" }),
    closed: (event) => print({ event: "closed", code: event.code, reason: event.reason }),
    ping: (received) => received && print({ event: "ping" }),
  },
});

options.subscriptions.forEach((subscription, index) => {
  client.subscribe(subscription, {
    next: (payload) => print({ event: "next", index, payload }),
    error: (error) =>
      print({
        event: "error",
        index,
        error: Array.isArray(error)
          ? error
          : { message: String(error?.reason ?? error?.message ?? error), code: error?.code },
      }),
    complete: () => print({ event: "complete", index }),
  });
});

// Ends when the test closes its standard input.
process.stdin.on("end", () => {
  client.dispose();
  process.exit(0);
});
process.stdin.resume();
