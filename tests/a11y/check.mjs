// Accessibility check of rendered checklist pages, run by CI (.ci/run):
//   node tests/a11y/check.mjs PAGE.html [PAGE.html ...]
// For each page: axe-core (WCAG 2.0/2.1 A and AA rules) must report no violations, on screen and in print
// layout; keyboard: the first Tab lands on the skip link, Tab reaches every link and disclosure in reading
// order, and each focused element shows a visible outline; print: the page prints to a PDF.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
const browserPath = process.env.CHROMIUM || "/usr/bin/chromium";
const pages = process.argv.slice(2);
if (pages.length === 0) {
  console.error("usage: node check.mjs PAGE.html [...]");
  process.exit(2);
}

const failures = [];
const fail = (page, message) => failures.push(`${page}: ${message}`);

async function axe(page, file, label) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  for (const v of result.violations) {
    fail(file, `${label}: ${v.id} (${v.impact}): ${v.help}; ${v.nodes.length} element(s), e.g. ${v.nodes[0].target}`);
  }
  return result;
}

const browser = await puppeteer.launch({
  executablePath: browserPath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
try {
  for (const file of pages) {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    const screen = await axe(page, file, "screen");

    // Keyboard: walk the page with Tab and compare with the focusable elements in document order.
    const expected = await page.evaluate(() =>
      [...document.querySelectorAll("a[href], summary, button, input, select, textarea")].length,
    );
    const seen = [];
    for (let i = 0; i < expected + 1; i++) {
      await page.keyboard.press("Tab");
      const info = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return null;
        const style = getComputedStyle(el);
        const all = [...document.querySelectorAll("a[href], summary, button, input, select, textarea")];
        return {
          index: all.indexOf(el),
          skip: el.classList.contains("skip"),
          text: (el.textContent || "").trim().slice(0, 40),
          outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
          inView: el.getBoundingClientRect().left >= 0,
        };
      });
      if (info) seen.push(info);
    }
    if (seen.length === 0 || seen[0].index !== 0 || !seen[0].skip) {
      fail(file, `keyboard: the first Tab should reach the skip link, reached ${JSON.stringify(seen[0])}`);
    }
    const order = seen.slice(0, expected).map((s) => s.index);
    if (order.length !== expected || order.some((v, i) => v !== i)) {
      fail(file, `keyboard: Tab order ${order.slice(0, 12).join(",")}… does not follow the ${expected} focusable elements`);
    }
    for (const s of seen.slice(0, expected)) {
      if (!s.outline) fail(file, `keyboard: no visible focus outline on "${s.text}"`);
      if (!s.inView) fail(file, `keyboard: focused element "${s.text}" is off screen`);
    }

    // Print: the same rules in print layout, the skip link hidden, and a PDF that is not empty.
    await page.emulateMediaType("print");
    await axe(page, file, "print");
    const skipShown = await page.evaluate(() => getComputedStyle(document.querySelector(".skip")).display !== "none");
    if (skipShown) fail(file, "print: the skip link should not print");
    const pdf = await page.pdf({ format: "A4" });
    if (pdf.length < 2000) fail(file, `print: PDF of only ${pdf.length} bytes`);

    console.log(
      `${file}: axe ${screen.passes.length} rules passed, ${screen.violations.length} violations; ` +
        `keyboard ${seen.length} stops; print PDF ${pdf.length} bytes`,
    );
    await page.close();
  }
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(failures.join("\n"));
  process.exit(1);
}
