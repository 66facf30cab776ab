// The explorer's enhancements; every page reads in full without them. Sortable tables: a
// column header becomes a button that sorts the rows by that column (data-sort, or the text).
// Maps: the figures of the area under the pointer or the keyboard focus, written under the map.
// Live results: an election page follows its result over the app's own WebSocket and redraws
// the result and the stages when a tally is entered, changed or deleted.
"use strict";

function sortValue(cell) {
  const raw = cell.dataset.sort ?? cell.textContent.trim();
  const number = Number(raw);
  return raw !== "" && !Number.isNaN(number) ? number : raw.toLowerCase();
}

function makeSortable(table) {
  const headers = table.querySelectorAll("thead th");
  headers.forEach((header, column) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = header.textContent;
    header.textContent = "";
    header.appendChild(button);
    header.setAttribute("aria-sort", "none");
    button.addEventListener("click", () => {
      const ascending = header.getAttribute("aria-sort") !== "ascending";
      headers.forEach((h) => h.setAttribute("aria-sort", "none"));
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const body = table.tBodies[0];
      const rows = [...body.rows];
      rows.sort((a, b) => {
        const x = sortValue(a.cells[column]);
        const y = sortValue(b.cells[column]);
        const order = x < y ? -1 : x > y ? 1 : 0;
        return ascending ? order : -order;
      });
      rows.forEach((row) => body.appendChild(row));
    });
  });
}

function captionMap(figure) {
  const caption = figure.querySelector(".map-caption");
  if (!caption) return;
  const show = (event) => {
    const area = event.target.closest("path.area");
    if (!area) return;
    caption.textContent = area.getAttribute("aria-label");
    caption.hidden = false;
  };
  figure.addEventListener("mouseover", show);
  figure.addEventListener("focusin", show);
}

// Said once the subscription has sent the result as it stands.
const FOLLOWING = "Live: the figures below change as tallies are entered.";
// The longest wait before connecting again, in milliseconds.
const MAX_RETRY = 60000;

// A client of graphql-transport-ws (docs/live.md), small enough to write out: connection_init,
// then subscribe once acknowledged, and a pong for each of the server's pings.
function followResult(live) {
  const status = document.createElement("p");
  status.className = "live-status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  live.before(status);
  let seen = null; // the latest message's data, to tell after a reconnect if anything changed
  let failures = 0;
  let stopped = false;
  let refreshing = null;

  async function refresh() {
    // no-cache: the page may be cached for a minute; this asks again with its ETag.
    const response = await fetch(location.href, { cache: "no-cache" });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.getElementById(live.id);
    const current = document.getElementById(live.id);
    if (!fresh || !current) return;
    current.replaceWith(document.adoptNode(fresh));
    enhance(fresh);
    status.textContent = `Result updated at ${new Date().toLocaleTimeString()}`;
  }

  function changed() {
    // One refresh at a time, and one more after it for what came meanwhile.
    refreshing = (refreshing ?? Promise.resolve()).then(refresh).catch(() => {});
  }

  function connect() {
    const url = new URL("/graphql", location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(url, "graphql-transport-ws");
    let first = true;
    const send = (message) => socket.send(JSON.stringify(message));
    socket.addEventListener("open", () => send({ type: "connection_init" }));
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "connection_ack") {
        failures = 0;
        // The page gives the subscription (web/pages/operations/election-live.graphql) and
        // its hash, so that a server with an allow-list of the explorer's operations runs it.
        // Any message after the first means one of the election's tallies changed.
        const payload = {
          query: live.dataset.subscription,
          variables: { election: live.dataset.election },
          extensions: { persistedQuery: { version: 1, sha256Hash: live.dataset.subscriptionHash } },
        };
        send({ id: "result", type: "subscribe", payload });
      } else if (message.type === "ping") {
        send({ type: "pong" });
      } else if (message.type === "next") {
        const data = JSON.stringify(message.payload);
        // The first message of a connection is the state at once: news only if it differs
        // from what an earlier connection last said.
        if (!first || (seen !== null && data !== seen)) changed();
        else if (seen === null) status.textContent = FOLLOWING;
        first = false;
        seen = data;
      } else if (message.type === "error" || message.type === "complete") {
        stopped = true; // refused (an unknown election, a limit): the page stays as it is
        socket.close(1000);
      }
    });
    socket.addEventListener("close", () => {
      if (stopped) return;
      failures += 1;
      setTimeout(connect, Math.min(1000 * 2 ** failures, MAX_RETRY));
    });
  }

  connect();
}

function enhance(root) {
  root.querySelectorAll("table.sortable").forEach(makeSortable);
  root.querySelectorAll(".map-figure").forEach(captionMap);
}

enhance(document);
const live = document.getElementById("live-result");
if (live && "WebSocket" in window) followResult(live);
