// Drives the HTML report in headless Chromium: matrix cells, sorting, filtering, details, the
// page without JavaScript, the print style sheet, and a screenshot. LONG_NAMES.html, when given,
// is a report whose first repository has a 140-character name without hyphens and whose second
// starts with a lower-case letter: its matrix must fit the window and sort names without regard
// to case.
//
// Usage: node report.mjs REPORT.html SCREENSHOT.png [LONG_NAMES.html]
// Prints one line per check and `N passed, M failed`; exits 1 when a check fails.

import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const SYMBOLS = { pass: "✅", waived: "✅", review: "⚠️", fail: "❌", "n/a": "–" };

const [reportArg, screenshotArg, longNamesArg] = process.argv.slice(2);
if (!reportArg || !screenshotArg) {
  console.error("usage: node report.mjs REPORT.html SCREENSHOT.png [LONG_NAMES.html]");
  process.exit(2);
}
const reportUrl = pathToFileURL(resolve(reportArg)).href;
const longNamesUrl = longNamesArg ? pathToFileURL(resolve(longNamesArg)).href : null;

let passed = 0;
let failed = 0;

async function check(name, body) {
  try {
    await body();
    passed += 1;
    console.log(`ok - ${name}`);
  } catch (error) {
    failed += 1;
    console.log(`not ok - ${name}: ${error.message}`);
  }
}

/** Compares two repository names as the page sorts them: without regard to case. */
function compareNames(a, b) {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  if (left === right) {
    return 0;
  }
  return left < right ? -1 : 1;
}

function expect(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

// A fresh profile for every run, so that no state from another run or user is read.
const profile = mkdtempSync(join(tmpdir(), "dockgrade-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  args: CHROMIUM_ARGS,
  headless: true,
  viewport: { width: 1280, height: 900 },
});
// Every element the checks wait for is in the page once it has loaded, so a short wait is enough
// and a failing check ends quickly.
context.setDefaultTimeout(5000);

// A report must load nothing but itself, so every other request is counted and refused.
const outsideRequests = [];
const pageUrls = [reportUrl, longNamesUrl].filter((url) => url !== null);
await context.route("**/*", (route) => {
  const url = route.request().url();
  if (pageUrls.some((page) => url === page || url.startsWith(page + "#"))) {
    return route.continue();
  }
  outsideRequests.push(url);
  return route.abort();
});

try {
  await runChecks();
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

async function openReport(page, url = reportUrl) {
  const problems = [];
  page.on("pageerror", (error) => problems.push(`script error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") {
      problems.push(`console error: ${message.text()}`);
    }
  });
  await page.goto(url);
  return problems;
}

/** Returns the visible matrix rows as {name, grade, rank, score, verdicts}. */
function visibleRows(page) {
  return page.$$eval("#matrix tbody tr", (rows) =>
    rows
      .filter((row) => !row.hidden)
      .map((row) => ({
        name: row.dataset.name,
        grade: row.dataset.grade,
        rank: Number(row.dataset.gradeRank),
        index: Number(row.dataset.index),
      })),
  );
}

async function runChecks() {
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = await openReport(page);

  const rowCount = await page.locator("#matrix tbody tr").count();
  const detailsCount = await page.locator("details.repo").count();
  const columns = await page.$$eval("#matrix thead th.col-control", (headers) =>
    headers.map((header) => header.dataset.sort.slice(2)),
  );

  await check("page loads without script errors or outside requests", async () => {
    expect(problems.length === 0, problems.join("; "));
    expect(outsideRequests.length === 0, `requested ${outsideRequests.join(", ")}`);
  });

  await check("matrix has one row and one details view per repository", async () => {
    expect(rowCount > 0, "the matrix has no rows");
    expect(rowCount === detailsCount, `${rowCount} rows but ${detailsCount} details views`);
    expect(columns.length === 7, `expected 7 control columns, found ${columns.length}`);
  });

  await check("matrix cells carry symbol and text label", async () => {
    const cells = await page.$$eval("#matrix tbody td.cell", (tds) =>
      tds.map((td) => ({
        symbol: td.querySelector(".sym").textContent,
        label: td.querySelector(".lbl").textContent,
        title: td.title,
        hidden: td.querySelector(".sym").getAttribute("aria-hidden"),
      })),
    );
    const errorRows = await page.locator("#matrix tbody td.error-cell").count();
    const expected = (rowCount - errorRows) * columns.length;
    expect(cells.length === expected, `expected ${expected} cells, found ${cells.length}`);
    for (const cell of cells) {
      expect(cell.label in SYMBOLS, `unknown label ${cell.label}`);
      expect(cell.symbol === SYMBOLS[cell.label], `${cell.label} shown as ${cell.symbol}`);
      expect(cell.title.endsWith(`: ${cell.label}`), `title ${cell.title} lacks the label`);
      expect(cell.hidden === "true", "the symbol is not hidden from screen readers");
    }
    const labels = new Set(cells.map((cell) => cell.label));
    for (const label of ["pass", "review", "fail", "n/a"]) {
      expect(labels.has(label), `no cell shows ${label}`);
    }
  });

  await check("grade chart shows every count as text", async () => {
    const bars = await page.$$eval("svg .bar", (groups) =>
      groups.map((group) => ({
        grade: group.querySelector(".bar-label").textContent,
        count: Number(group.querySelector(".bar-count").textContent),
      })),
    );
    const grades = bars.map((bar) => bar.grade).join(" ");
    expect(grades === "A B C D F — error", `chart grades are ${grades}`);
    const total = bars.reduce((sum, bar) => sum + bar.count, 0);
    expect(total === rowCount, `chart counts ${total} repositories, the matrix ${rowCount}`);
  });

  await check("header click sorts by grade with aria-sort", async () => {
    const before = (await visibleRows(page)).map((row) => row.name);
    const header = page.locator('#matrix th[data-sort="grade"]');
    await header.locator("button").click();
    expect((await header.getAttribute("aria-sort")) === "ascending", "aria-sort is not ascending");
    const ascending = await visibleRows(page);
    for (let i = 1; i < ascending.length; i += 1) {
      expect(ascending[i - 1].rank <= ascending[i].rank, `${ascending[i].name} is out of order`);
    }
    const after = ascending.map((row) => row.name);
    expect(before.join() !== after.join(), "the order did not change");

    await header.locator("button").click();
    expect((await header.getAttribute("aria-sort")) === "descending", "aria-sort is not descending");
    const descending = await visibleRows(page);
    for (let i = 1; i < descending.length; i += 1) {
      expect(descending[i - 1].rank >= descending[i].rank, `${descending[i].name} is out of order`);
    }
    const others = await page.locator("#matrix th[aria-sort]").count();
    expect(others === 1, `${others} headers have aria-sort`);
  });

  await check("header sorts from the keyboard", async () => {
    await page.locator('#matrix th[data-sort="name"] button').focus();
    await page.keyboard.press("Enter");
    const header = page.locator('#matrix th[data-sort="name"]');
    expect((await header.getAttribute("aria-sort")) === "ascending", "Enter did not sort");
    const names = (await visibleRows(page)).map((row) => row.name);
    const sorted = names.slice().sort(compareNames);
    expect(names.join() === sorted.join(), `names are not ascending: ${names.join(", ")}`);
  });

  const all = await visibleRows(page);

  await check("grade filter hides the other grades", async () => {
    const grade = all.find((row) => row.grade === "A") ? "A" : all[0].grade;
    await page.selectOption("#filter-grade", grade);
    const visible = await visibleRows(page);
    const expected = all.filter((row) => row.grade === grade);
    expect(visible.length === expected.length, `${visible.length} rows shown, ${expected.length} expected`);
    expect(visible.every((row) => row.grade === grade), "a row of another grade is shown");
    const count = await page.textContent("#filter-count");
    expect(count === `${expected.length} of ${rowCount} shown`, `count reads ${count}`);
    const openable = await page.locator("details.repo:not([hidden])").count();
    expect(openable === expected.length, `${openable} details views stay visible`);
    await page.click("#filter-reset");
    await page.waitForFunction(() => document.querySelectorAll("#matrix tbody tr[hidden]").length === 0);
  });

  await check("verdict filter keeps rows where the control has that verdict", async () => {
    const control = columns.includes("non-root") ? "non-root" : columns[0];
    const expected = await page.$$eval(
      `#matrix tbody tr[data-v-${control}="fail"]`,
      (rows) => rows.map((row) => row.dataset.name),
    );
    expect(expected.length > 0, `no repository fails ${control}`);
    await page.selectOption("#filter-control", control);
    await page.selectOption("#filter-verdict", "fail");
    const visible = (await visibleRows(page)).map((row) => row.name);
    expect(visible.join() === expected.join(), `shown ${visible.join(", ")}; expected ${expected.join(", ")}`);
    await page.click("#filter-reset");
    await page.waitForFunction(() => document.querySelectorAll("#matrix tbody tr[hidden]").length === 0);
  });

  await check("name filter matches part of a name", async () => {
    const sample = all[all.length - 1].name;
    const part = sample.slice(0, Math.min(4, sample.length)).toUpperCase();
    await page.fill("#filter-name", part);
    const visible = await visibleRows(page);
    const expected = all.filter((row) => row.name.toLowerCase().includes(part.toLowerCase()));
    expect(visible.length === expected.length, `${visible.length} rows shown, ${expected.length} expected`);
    expect(visible.some((row) => row.name === sample), `${sample} is hidden`);
    await page.fill("#filter-name", "no repository is called this");
    expect((await visibleRows(page)).length === 0, "a row matches a name that no repository has");
    await page.click("#filter-reset");
    await page.waitForFunction(() => document.querySelectorAll("#matrix tbody tr[hidden]").length === 0);
  });

  await check("repository link opens its details with a finding at path:line", async () => {
    const row = page.locator("#matrix tbody tr", { has: page.locator("td.v-fail") }).first();
    const link = row.locator("th a");
    const detailsId = (await link.getAttribute("href")).slice(1);
    await link.click();
    const details = page.locator(`details#${detailsId}`);
    await details.locator(".finding").first().waitFor({ state: "visible" });
    expect((await details.getAttribute("open")) !== null, "the details view did not open");
    const locations = await details.locator(".finding .loc").allTextContents();
    expect(locations.some((text) => /^[^\s:]+:\d+$/.test(text)), `no path:line in ${locations.join(", ")}`);
    const rationales = await details.locator(".check .why").count();
    expect(rationales > 0, "no control explains why it matters");

    // The address now ends in this fragment, so the second click fires no hashchange.
    await details.locator("summary").click();
    expect((await details.getAttribute("open")) === null, "the summary did not close the details");
    await link.click();
    await details.locator(".finding").first().waitFor({ state: "visible" });
    expect((await details.getAttribute("open")) !== null, "the same link did not reopen the details");
  });

  await check("print style shows findings and hides the filters", async () => {
    await page.emulateMedia({ media: "print" });
    expect(!(await page.locator("#filters").isVisible()), "the filters are printed");
    const closed = page.locator("details.repo:not([open])").first();
    expect(await closed.locator(".repo-body").isVisible(), "a closed details view is not printed");
    await page.emulateMedia({ media: "screen" });
  });

  await check("page without JavaScript shows every row and finding", async () => {
    const plain = await context.newPage();
    const devtools = await context.newCDPSession(plain);
    await devtools.send("Emulation.setScriptExecutionDisabled", { value: true });
    await plain.goto(reportUrl);
    const rows = await plain.locator("#matrix tbody tr:not([hidden])").count();
    expect(rows === rowCount, `${rows} of ${rowCount} rows shown`);
    expect(!(await plain.locator("#filters").isVisible()), "the filter form is shown");
    const buttons = await plain.locator("#matrix thead button").count();
    expect(buttons === 0, "the script ran");
    const findings = await plain.locator("details.repo .finding").count();
    expect(findings > 0, "no findings in the page");
    await plain.close();
  });

  if (longNamesUrl !== null) {
    await checkLongNames();
  }

  // The screenshot shows the page as it opens, with the details of the failing repository that
  // has the fewest findings open, so that one example of a finding fits.
  await page.goto("about:blank");
  await page.goto(reportUrl);
  await page.evaluate(() => {
    const failing = Array.from(document.querySelectorAll("details.repo")).filter((details) =>
      details.querySelector(".finding.o-fail"),
    );
    failing.sort((a, b) => a.querySelectorAll(".finding").length - b.querySelectorAll(".finding").length);
    if (failing.length > 0) {
      failing[0].open = true;
    }
  });
  await page.screenshot({ path: screenshotArg, fullPage: true });
}

/** Checks the page of LONG_NAMES.html: a long name wraps, and names sort without regard to case. */
async function checkLongNames() {
  const page = await context.newPage();
  const problems = await openReport(page, longNamesUrl);

  await check("long-name page loads without script errors", async () => {
    expect(problems.length === 0, problems.join("; "));
  });

  const longest = await page.$eval("#matrix tbody tr", (row) => row.dataset.name);
  await check("the long-name page starts with a 140-character name", async () => {
    expect(longest.length === 140, `the first name has ${longest.length} characters`);
    expect(!/[-\s]/.test(longest), "the first name has a hyphen or a space to break at");
  });

  for (const width of [1400, 1280]) {
    await check(`a 140-character name wraps in a ${width} px window`, async () => {
      await page.setViewportSize({ width, height: 900 });
      const layout = await page.evaluate(() => {
        const wrap = document.querySelector(".table-wrap");
        const score = document.querySelector("#matrix thead th.col-score").getBoundingClientRect();
        const summary = document.querySelector("details.repo > summary");
        return {
          wrapOverflow: wrap.scrollWidth - wrap.clientWidth,
          scoreRight: score.right,
          window: document.documentElement.clientWidth,
          pageOverflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          summaryOverflow: summary.scrollWidth - summary.clientWidth,
          nameText: document.querySelector("#matrix tbody th.name a").textContent,
        };
      });
      expect(layout.wrapOverflow <= 0, `the matrix scrolls sideways by ${layout.wrapOverflow} px`);
      expect(layout.scoreRight <= layout.window, `the score column ends at ${layout.scoreRight} px`);
      expect(layout.pageOverflow <= 0, `the page is ${layout.pageOverflow} px too wide`);
      expect(layout.summaryOverflow <= 0, `the details summary overflows by ${layout.summaryOverflow} px`);
      expect(layout.nameText === longest, "the matrix shows the name shortened");
    });
  }

  await check("name sort ignores case", async () => {
    const before = (await visibleRows(page)).map((row) => row.name);
    expect(/^[A-Z]/.test(before[0]), `${before[0]} does not start in upper case`);
    expect(/^[a-z]/.test(before[1]), `${before[1]} does not start in lower case`);
    await page.locator('#matrix th[data-sort="name"] button').click();
    const names = (await visibleRows(page)).map((row) => row.name);
    const sorted = names.slice().sort(compareNames);
    expect(names.join() === sorted.join(), `names are not ascending: ${names.join(", ")}`);
    expect(names[0] === before[1], `${names[0]} sorts first, expected ${before[1]}`);
  });
  await page.close();
}
