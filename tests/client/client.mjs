// A real client against the server: Apollo Client with its normalised cache, Relay-style
// pagination, and automatic persisted queries sent by GET. Usage: node client.mjs URL.
// Prints what it saw as JSON on stdout; tests/test_client.py checks every value.
import { createHash } from "node:crypto";

import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { createPersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { relayStylePagination } from "@apollo/client/utilities";
import { filter, firstValueFrom } from "rxjs";

const [url] = process.argv.slice(2);
if (!url) {
  console.error("usage: node client.mjs URL");
  process.exit(2);
}

// Every request the client sends, with what the server answered.
const requests = [];

async function recordingFetch(input, init = {}) {
  const response = await fetch(input, init);
  const method = init.method ?? "GET";
  const sent =
    method === "GET"
      ? Object.fromEntries(
          [...new URL(String(input)).searchParams].map(([name, value]) => [
            name,
            name === "variables" || name === "extensions" ? JSON.parse(value) : value,
          ]),
        )
      : JSON.parse(init.body);
  const body = await response.clone().json();
  requests.push({
    method,
    operationName: sent.operationName ?? null,
    query: "query" in sent,
    sha256Hash: sent.extensions?.persistedQuery?.sha256Hash ?? null,
    status: response.status,
    cacheControl: response.headers.get("cache-control"),
    etag: response.headers.has("etag"),
    errors: (body.errors ?? []).map((error) => error.message),
  });
  return response;
}

const sha256 = (text) => createHash("sha256").update(text).digest("hex");

const client = new ApolloClient({
  link: createPersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(
    new HttpLink({ uri: url, fetch: recordingFetch }),
  ),
  cache: new InMemoryCache({
    typePolicies: {
      // One list of elections per filter and order, whatever page was asked for.
      Query: { fields: { elections: relayStylePagination(["filter", "orderBy"]) } },
    },
  }),
});

const ELECTIONS = gql`
  query Elections($first: Int, $after: String) {
    elections(first: $first, after: $after) {
      totalCount
      edges {
        cursor
        node {
          id
          key
          date
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
`;

const ELECTION = gql`
  query Election($id: ID!) {
    node(id: $id) {
      id
      ... on Election {
        key
        early
        office
      }
    }
  }
`;

const SCHEDULE = gql`
  fragment Schedule on Election {
    key
    date
    early
  }
`;

// Page through every election, 4 at a time, as a "load more" button would.
const observable = client.watchQuery({ query: ELECTIONS, variables: { first: 4 } });
let result = await firstValueFrom(observable.pipe(filter((r) => r.dataState === "complete")));
const pages = [];
let pageInfo = result.data.elections.pageInfo;
pages.push({ edges: result.data.elections.edges.length, pageInfo });
while (pageInfo.hasNextPage) {
  const more = await observable.fetchMore({ variables: { after: pageInfo.endCursor } });
  pageInfo = more.data.elections.pageInfo;
  pages.push({ edges: more.data.elections.edges.length, pageInfo });
}
const merged = observable.getCurrentResult().data.elections;

// Fetch the first election again by its global ID: it lands on the same cache entry.
const first = merged.edges[0].node;
const { data: byId } = await client.query({ query: ELECTION, variables: { id: first.id } });
const cacheId = client.cache.identify({ __typename: "Election", id: first.id });
const entry = client.cache.extract()[cacheId];
// Fields from the list (date) and from the node query (early) read as one, with no request.
const requestsBefore = requests.length;
const fragment = client.readFragment({ id: cacheId, fragment: SCHEDULE });
const readWithoutRequest = requests.length === requestsBefore;

// Once registered, the query goes by hash alone over GET, which HTTP caches can keep.
const { data: again } = await client.query({
  query: ELECTION,
  variables: { id: first.id },
  fetchPolicy: "network-only",
});

console.log(
  JSON.stringify({
    totalCount: merged.totalCount,
    keys: merged.edges.map((edge) => edge.node.key),
    pages,
    node: byId.node,
    cacheId,
    entry,
    fragment,
    readWithoutRequest,
    again: again.node,
    requests,
  }),
);
observable.stop?.();
client.stop();
