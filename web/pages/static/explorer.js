// The explorer's enhancements; every page reads in full without them. Sortable tables: a
// column header becomes a button that sorts the rows by that column (data-sort, or the text).
// Maps: the figures of the area under the pointer or the keyboard focus, written under the map.
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

document.querySelectorAll("table.sortable").forEach(makeSortable);
document.querySelectorAll(".map-figure").forEach(captionMap);
