"use strict";
// Sorting and filtering of the matrix. Without this script the page shows every row and every
// finding; the filter form stays hidden because it would do nothing.
(function () {
  const table = document.getElementById("matrix");
  const form = document.getElementById("filters");
  if (!table || !form) {
    return;
  }
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  const verdictRank = { pass: 0, waived: 1, review: 2, fail: 3, "n/a": 4 };

  // Each sortable header gets a button, so that sorting is reachable by keyboard. The header
  // keeps aria-sort, which WAI-ARIA 1.2 defines on column headers.
  const headers = Array.from(table.tHead.rows[0].cells);
  for (const header of headers) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = header.textContent;
    header.textContent = "";
    header.appendChild(button);
    button.addEventListener("click", function () {
      sortBy(header);
    });
  }

  function sortKey(row, key) {
    // Names sort without regard to case, as people read them. The scorecard's own order, which
    // every report format shares, stays until a header is selected.
    if (key === "name") {
      return row.dataset.name.toLowerCase();
    }
    if (key === "grade") {
      return Number(row.dataset.gradeRank);
    }
    if (key === "score") {
      return Number(row.dataset.score);
    }
    const verdict = row.getAttribute("data-" + key);
    return verdict === null ? 9 : verdictRank[verdict];
  }

  function compare(a, b) {
    if (a < b) {
      return -1;
    }
    return a > b ? 1 : 0;
  }

  function sortBy(header) {
    const ascending = header.getAttribute("aria-sort") !== "ascending";
    const key = header.dataset.sort;
    const sign = ascending ? 1 : -1;
    const sorted = rows.slice().sort(function (a, b) {
      const order = sign * compare(sortKey(a, key), sortKey(b, key));
      return order || Number(a.dataset.index) - Number(b.dataset.index);
    });
    for (const row of sorted) {
      body.appendChild(row);
    }
    for (const other of headers) {
      other.removeAttribute("aria-sort");
    }
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  const nameInput = document.getElementById("filter-name");
  const gradeSelect = document.getElementById("filter-grade");
  const controlSelect = document.getElementById("filter-control");
  const verdictSelect = document.getElementById("filter-verdict");
  const count = document.getElementById("filter-count");

  function matchesVerdict(row, control, verdict) {
    if (!verdict) {
      return true;
    }
    if (control) {
      return row.getAttribute("data-v-" + control) === verdict;
    }
    return Array.from(row.attributes).some(function (attribute) {
      return attribute.name.startsWith("data-v-") && attribute.value === verdict;
    });
  }

  function applyFilters() {
    const name = nameInput.value.trim().toLowerCase();
    const grade = gradeSelect.value;
    const control = controlSelect.value;
    const verdict = verdictSelect.value;
    let visibleCount = 0;
    for (const row of rows) {
      const visible =
        row.dataset.name.toLowerCase().includes(name) &&
        (!grade || row.dataset.grade === grade) &&
        matchesVerdict(row, control, verdict);
      row.hidden = !visible;
      const details = document.getElementById("repo-" + row.dataset.index);
      if (details) {
        details.hidden = !visible;
      }
      if (visible) {
        visibleCount += 1;
      }
    }
    count.textContent = visibleCount + " of " + rows.length + " shown";
  }

  form.addEventListener("input", applyFilters);
  form.addEventListener("change", applyFilters);
  form.addEventListener("reset", function () {
    setTimeout(applyFilters, 0);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });
  form.hidden = false;

  // A link to a repository's details opens them. A click is handled too, because following a
  // link to the fragment already in the address fires no hashchange (HTML Living Standard,
  // "navigate to a fragment"), and the user may have closed those details since.
  function openDetails(hash) {
    const id = decodeURIComponent(hash.slice(1));
    const target = id ? document.getElementById(id) : null;
    if (target && target.tagName === "DETAILS") {
      target.open = true;
    }
  }
  table.addEventListener("click", function (event) {
    const link = event.target.closest('a[href^="#"]');
    if (link) {
      openDetails(link.hash);
    }
  });
  window.addEventListener("hashchange", function () {
    openDetails(location.hash);
  });
  openDetails(location.hash);

  // Printing opens every details element, then restores what was open before.
  let openBefore = [];
  window.addEventListener("beforeprint", function () {
    const all = Array.from(document.querySelectorAll("details"));
    openBefore = all.filter(function (details) {
      return details.open;
    });
    for (const details of all) {
      details.open = true;
    }
  });
  window.addEventListener("afterprint", function () {
    for (const details of document.querySelectorAll("details")) {
      details.open = openBefore.includes(details);
    }
  });
})();
