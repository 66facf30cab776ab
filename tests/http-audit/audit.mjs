// Runs graphql-http's GraphQL over HTTP audit suite against the server at the URL given as the
// first argument, and prints every result as one JSON array: id, name, status ("ok", "notice",
// "warn" or "error") and, for the others, the reason and the response's status and body.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}

const results = await auditServer({ url });
const report = [];
for (const result of results) {
  const entry = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    entry.reason = result.reason;
    entry.responseStatus = result.response.status;
    try {
      entry.responseBody = await result.response.text();
    } catch {
      entry.responseBody = null; // the audit has read it already
    }
  }
  report.push(entry);
}
console.log(JSON.stringify(report, null, 2));
