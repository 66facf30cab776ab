// The GraphiQL page's script: GraphiQL on the /graphql that served the page, opening with the
// operations of docs/queries as tabs. build.mjs bundles it into static/.
import "graphiql/style.css";
import { GraphiQL } from "graphiql";
import { Kind, parse } from "graphql";
import { createElement } from "react";
import { createRoot } from "react-dom/client";

// Monaco runs the editors' language services in web workers. build.mjs bundles each worker into
// a file of its own beside this script and puts its name in these three constants.
const WORKERS = { editor: EDITOR_WORKER, graphql: GRAPHQL_WORKER, json: JSON_WORKER };
globalThis.MonacoEnvironment = {
  getWorker(_workerId, label) {
    const name = WORKERS[label] ?? WORKERS.editor;
    return new Worker(new URL(name, import.meta.url), { name: `graphiql-${label}` });
  },
};

// The API answers at the very URL that served this page.
const endpoint = window.location.pathname;

// For a moment after a tab is opened, GraphiQL may still hold the previous tab's operation name;
// sent with the new tab's document, it would be refused as an unknown operation. A name the
// document does not define is dropped when the document has one operation, which then runs.
function withKnownOperation(params) {
  if (!params.operationName) return params;
  let names;
  try {
    names = parse(params.query)
      .definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION)
      .map((definition) => definition.name?.value);
  } catch {
    return params; // the server explains the syntax error
  }
  if (names.includes(params.operationName) || names.length !== 1) return params;
  return { ...params, operationName: null };
}

async function fetcher(params, options) {
  // Headers typed into GraphiQL's headers editor, then the two that must be ours.
  const headers = new Headers(options?.headers ?? {});
  headers.set("Content-Type", "application/json");
  headers.set("Accept", "application/graphql-response+json, application/json");
  const response = await fetch(endpoint, {
    method: "POST",
    headers,
    body: JSON.stringify(withKnownOperation(params)),
    credentials: "same-origin",
  });
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return { errors: [{ message: `HTTP ${response.status}: ${text}` }] };
  }
}

// The server puts the operations of docs/queries in the page as JSON: [{query, variables}].
const examples = JSON.parse(document.getElementById("graphiql-examples").textContent);

// ?query=…&variables=…&operationName=… open the IDE on that operation, in a tab before the
// examples. Otherwise the first example is the one shown.
const search = new URLSearchParams(window.location.search);
const linked = search.has("query")
  ? [{ query: search.get("query"), variables: search.get("variables") }]
  : [];
const tabs = [...linked, ...examples];
const props = { fetcher };
if (tabs.length > 0) {
  // The tabs GraphiQL opens with when this browser has none stored from an earlier visit.
  props.defaultTabs = tabs;
  // The editors' first contents: GraphiQL takes them from here (or from storage), not from the
  // first default tab, and brings back (or adds) the tab that has them.
  props.initialQuery = tabs[0].query ?? "";
  props.initialVariables = tabs[0].variables ?? "";
}
if (search.has("operationName")) props.operationName = search.get("operationName");

createRoot(document.getElementById("graphiql")).render(createElement(GraphiQL, props));
