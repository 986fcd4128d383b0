// Browser test of the web app (inclusief-inkopen serve), run by CI (.ci/run) in Debian's Chromium, with sign-in
// through the test OpenID Connect provider (tests/oidc_provider.py):
//   node tests/a11y/web.mjs http://127.0.0.1:8765
// Everyone signs in on the provider's page and out again, by keyboard only:
// 1. A beheerder maps the provider's groups to roles and departments and makes an API key (which then works).
// 2. A buyer (inkoper) completes the questionnaire, gets the advice and downloads it (Word).
// 3. A category manager makes a checklist, decides every item, finds it kept after a reload, and cannot sign off
//    their own last change (four eyes); a second category manager signs it off.
// 4. axe-core (WCAG 2.0/2.1 A and AA) reports no violations on every page, in Dutch and in English; on each page
//    the first Tab reaches the skip link and every focused element shows a visible outline.
import { createRequire } from "node:module";
import { mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
const base = (process.argv[2] || "http://127.0.0.1:8765").replace(/\/$/, "");
const failures = [];
const fail = (where, message) => failures.push(`${where}: ${message}`);
const byId = (id) => `[id="${id}"]`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});

// Tab (forward) until the focused element matches the selector; fails after `limit` presses.
async function tabTo(page, selector, limit = 400) {
  for (let i = 0; i < limit; i++) {
    if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`keyboard: Tab never reached ${selector} on ${page.url()}`);
}

async function startAtTop(page) {
  // Blurring leaves Chromium's sequential-focus starting point where it was (e.g. on an error summary that took
  // focus), so the next Tab starts from a focusable marker placed before everything else.
  await page.evaluate(() => {
    let mark = document.getElementById("test-start");
    if (!mark) {
      mark = document.createElement("span");
      mark.id = "test-start";
      mark.tabIndex = -1;
      document.body.prepend(mark);
    }
    mark.focus();
    window.scrollTo(0, 0);
  });
}

async function typeInto(page, selector, text) {
  await tabTo(page, selector);
  await page.keyboard.down("Control");
  await page.keyboard.press("A");
  await page.keyboard.up("Control");
  await page.keyboard.press("Backspace");
  await page.keyboard.type(text);
}

// Choose a radio button with the keyboard: Tab into its group, then arrow keys until it is checked.
async function chooseRadio(page, id) {
  const name = await page.$eval(byId(id), (el) => el.name).catch(() => null);
  if (!name) throw new Error(`no radio #${id}`);
  await tabTo(page, `input[type=radio][name="${name}"]`);
  for (let i = 0; i < 12; i++) {
    if (await page.$eval(byId(id), (el) => el.checked)) return;
    const wasChecked = await page.evaluate(() => document.activeElement.checked);
    if (!wasChecked) { await page.keyboard.press("Space"); continue; }
    await page.keyboard.press("ArrowDown");
  }
  throw new Error(`keyboard: could not choose #${id}`);
}

// A date field by keyboard: Chromium's date input takes the digits in the order of the browser's locale (en-US:
// month, day, year), whatever the page's language.
async function typeDate(page, selector, iso) {
  const [year, month, day] = iso.split("-");
  await tabTo(page, selector);
  const kind = await page.$eval(selector, (el) => el.type);
  if (kind !== "date") {
    await page.keyboard.type(iso);
    return;
  }
  await page.keyboard.type(`${month}${day}${year}`);
  const value = await page.$eval(selector, (el) => el.value);
  if (value !== iso) throw new Error(`keyboard: ${selector} holds ${value}, expected ${iso}`);
}

// A choice in a <select> by keyboard: focus it, then arrow down until the option with this value is chosen.
async function chooseOption(page, selector, value) {
  await tabTo(page, selector);
  for (let i = 0; i < 60; i++) {
    if ((await page.$eval(selector, (el) => el.value)) === value) return;
    await page.keyboard.press("ArrowDown");
  }
  throw new Error(`keyboard: could not choose ${value} in ${selector}`);
}

async function check(page, id) {
  await tabTo(page, byId(id));
  if (!(await page.$eval(byId(id), (el) => el.checked))) await page.keyboard.press("Space");
}

async function submit(page, selector = "main form button[type=submit]") {
  await tabTo(page, selector);
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.keyboard.press("Enter")]);
}

async function audit(page, where) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () =>
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  for (const v of result.violations) {
    fail(where, `axe ${v.id} (${v.impact}): ${v.help}; e.g. ${v.nodes[0].target}`);
  }
  await startAtTop(page);
  await page.keyboard.press("Tab");
  const first = await page.evaluate(() => document.activeElement.classList.contains("skip"));
  if (!first) fail(where, "keyboard: the first Tab should reach the skip link");
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press("Tab");
    const outline = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return true;
      const s = getComputedStyle(el);
      return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
    });
    if (!outline) fail(where, "keyboard: a focused element shows no visible outline");
  }
  return result.passes.length;
}

const audited = [];
async function visit(page, path, label) {
  for (const lang of ["nl", "en"]) {
    const url = `${base}${path}${path.includes("?") ? "&" : "?"}lang=${lang}`;
    await page.goto(url, { waitUntil: "load" });
    const htmlLang = await page.evaluate(() => document.documentElement.lang);
    if (htmlLang !== lang) fail(label, `html lang is ${htmlLang}, expected ${lang}`);
    const passes = await audit(page, `${label} [${lang}]`);
    audited.push(`${label} [${lang}]: ${passes} axe rules passed`);
  }
  await page.goto(`${base}${path}${path.includes("?") ? "&" : "?"}lang=nl`, { waitUntil: "load" });
}

const page = await browser.newPage();
// The app's CSP allows only its own scripts; axe is injected by the test, so the test page bypasses CSP.
await page.setBypassCSP(true);

// Sign in as one of the provider's test people: the app sends the browser to the provider, the person picks
// who they are there (keyboard), the provider sends the browser back to where it was going.
async function signInAs(user, path = "/") {
  await page.goto(`${base}${path}`, { waitUntil: "load" });
  if (!page.url().includes("/authorize")) throw new Error(`sign-in: expected the provider's page, got ${page.url()}`);
  await tabTo(page, `button[value="${user}"]`);
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.keyboard.press("Enter")]);
  if (!page.url().startsWith(base)) throw new Error(`sign-in: not back in the app but at ${page.url()}`);
  const who = await page.evaluate(() => document.querySelector(".signed-in")?.innerText || "");
  if (!who.includes("Aangemeld als")) fail(`sign-in ${user}`, `the page does not say who is signed in: ${who}`);
}

async function signOut() {
  await startAtTop(page);
  await submit(page, 'form[action="/sign-out"] button[type=submit]');
  if (!page.url().endsWith("/signed-out")) fail("sign-out", `ended at ${page.url()}`);
}

try {
  // --- 1. the beheerder: groups to roles, an API key ---
  await signInAs("bea", "/admin?lang=nl");
  const mapping = [
    ["inkoop-ict", "inkoper", "ICT"],
    ["cm-ict", "categoriemanager", "ICT"],
    ["contract-ict", "contractmanager", "ICT"],
    ["bureau-id", "beleidsmedewerker", ""],
  ];
  for (const [group, role, department] of mapping) {
    await startAtTop(page);
    await typeInto(page, "#group", group);
    await check(page, `role-${role}`);
    if (department) await typeInto(page, "#department", department);
    await submit(page, 'form[action="/admin/roles"] button[type=submit]');
  }
  const mapped = await page.evaluate(() => document.querySelector("main table").innerText);
  if (!mapped.includes("inkoop-ict") || !mapped.includes("cm-ict")) fail("beheerder", `mapping not kept: ${mapped}`);
  await visit(page, "/admin", "people and roles");
  await page.goto(`${base}/admin/keys?lang=nl`, { waitUntil: "load" });
  await startAtTop(page);
  await typeInto(page, "#key-name", "Aanbestedingsplatform");
  await check(page, "scope-1");
  await submit(page, 'form[action="/admin/keys"] button[type=submit]');
  const key = await page.$eval("#new-key", (el) => el.textContent).catch(() => "");
  if (!/^ii_[a-z0-9]{12}_/.test(key)) fail("beheerder", `no key shown after making one: ${key}`);
  const answer = await fetch(`${base}/api/v1/advice`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ title: "Website", nature: "services", estimated_value_eur: 300000, cpv: ["72413000"] }),
  });
  if (answer.status !== 200) fail("API key", `the new key got ${answer.status}`);
  const without = await fetch(`${base}/api/v1/criteria`);
  if (without.status !== 401) fail("API key", `no key should get 401, got ${without.status}`);
  await visit(page, "/admin/keys", "API keys");
  await visit(page, "/admin/audit", "audit trail");
  console.log(`beheerder: ${mapping.length} groups mapped, an API key made and used`);
  await signOut();
  await visit(page, "/signed-out", "signed out");

  // --- 2. the buyer, keyboard only ---
  await signInAs("anna", "/?lang=nl");
  await startAtTop(page);
  await tabTo(page, 'a[href="/tenders/new"]');
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.keyboard.press("Enter")]);
  await typeInto(page, "#f-title", "Website stadsdeel Noord");
  await chooseRadio(page, "f-nature-services");
  await typeInto(page, "#f-estimated_value_eur", "300000");
  await typeInto(page, "#f-cpv", "72413000");
  await submit(page);
  if (!page.url().includes("/step/2")) fail("buyer", `after step 1 at ${page.url()}`);
  await chooseRadio(page, "f-end_users-state-some");
  await check(page, "f-end_users-residents");
  await chooseRadio(page, "f-people_facing-false");
  await chooseRadio(page, "f-staffing-false");
  await submit(page);
  await chooseRadio(page, "f-digital-state-some");
  await check(page, "f-digital-website");
  await chooseRadio(page, "f-eaa_services-state-none");
  await chooseRadio(page, "f-physical-state-none");
  await submit(page);
  await typeInto(page, "#f-labour_share", "60");
  await chooseRadio(page, "f-supply_chain_risk-state-none");
  await submit(page);
  const advicePath = new URL(page.url()).pathname;
  if (!advicePath.endsWith("/advice")) fail("buyer", `the questionnaire ended at ${page.url()}`);
  const text = await page.evaluate(() => document.body.innerText);
  for (const want of ["TOEG-DIG-01", "PG-WEB-01", "Verplicht (wet)", "BT-754"]) {
    if (!text.includes(want)) fail("buyer", `the advice page lacks ${want}`);
  }
  const downloads = mkdtempSync(join(tmpdir(), "advies-"));
  const cdp = await page.createCDPSession();
  await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: downloads });
  await startAtTop(page);
  await tabTo(page, 'a[href$="advice.docx?lang=nl"]');
  await page.keyboard.press("Enter");
  let got = [];
  for (let i = 0; i < 50 && !got.some((f) => f.endsWith(".docx")); i++) { await sleep(200); got = readdirSync(downloads); }
  const docx = got.find((f) => f.endsWith(".docx"));
  if (!docx || statSync(join(downloads, docx)).size < 5000) fail("buyer", `Word download missing or empty: ${got}`);
  console.log(`buyer: signed in, questionnaire by keyboard, advice at ${advicePath}, downloaded ${docx}`);
  const tender = advicePath.split("/")[2];
  await visit(page, "/", "home");
  await visit(page, "/tenders/new", "questionnaire step 1");
  for (const n of [2, 3, 4]) await visit(page, `/tenders/${tender}/step/${n}`, `questionnaire step ${n}`);
  await visit(page, advicePath, "advice");
  await visit(page, "/cpv?q=schoonmaak", "CPV search");
  await visit(page, "/tenders/does-not-exist/advice", "not found");
  // A step with errors: required fields left empty, the error summary tied to the fields.
  for (const lang of ["nl", "en"]) {
    await page.goto(`${base}/tenders/new?lang=${lang}`, { waitUntil: "load" });
    await startAtTop(page);
    await submit(page, 'form[action="/tenders/new"] button[type=submit]');
    const summary = await page.evaluate(() => document.activeElement && document.activeElement.id === "errors");
    if (!summary) fail(`step with errors [${lang}]`, "the error summary does not take focus");
    const passes = await audit(page, `step with errors [${lang}]`);
    audited.push(`step with errors [${lang}]: ${passes} axe rules passed`);
  }
  await page.goto(`${base}/?lang=nl`, { waitUntil: "load" });
  await signOut();

  // --- 3. the category managers, keyboard only ---
  await signInAs("bram", `${advicePath}?lang=nl`);
  await startAtTop(page);
  await typeInto(page, "#category", "ICT");
  await submit(page, 'form[action$="/checklists"] button[type=submit]');
  const checklistPath = new URL(page.url()).pathname;
  const count = await page.$$eval("article.item", (a) => a.length);
  await startAtTop(page);
  await chooseRadio(page, "basis-best-price-quality");
  for (let i = 0; i < count; i++) {
    await chooseRadio(page, `d-${i}-applied`);
    if (await page.$(`#g-${i}`)) await typeInto(page, `#g-${i}`, "10");
  }
  await submit(page, 'form[action="' + checklistPath + '"] .actions button[type=submit]');
  await page.reload({ waitUntil: "load" });
  const kept = await page.$$eval('input[type=radio][value="applied"]:checked', (a) => a.length);
  const complete = await page.evaluate(() => document.body.innerText.includes("De checklist is compleet."));
  if (kept !== count) fail("category manager", `after reload ${kept} of ${count} items still applied`);
  if (!complete) fail("category manager", "the checklist does not pass the check");
  await startAtTop(page);
  await submit(page, 'form[action$="/sign-off"] button[type=submit]');
  const own = await page.evaluate(() => document.body.innerText);
  if (!own.includes("vier ogen")) fail("four eyes", "a category manager signed off their own last change");
  console.log(`category manager: ${count} items decided by keyboard, kept after reload; own sign-off refused`);
  await visit(page, "/checklists", "checklists");
  await visit(page, checklistPath, "checklist");
  await visit(page, `${checklistPath}/history`, "history");
  await signOut();
  await signInAs("carla", `${checklistPath}?lang=nl`);
  await startAtTop(page);
  await submit(page, 'form[action$="/sign-off"] button[type=submit]');
  const state = await page.evaluate(() => document.querySelector("main p").innerText);
  if (!state.includes("afgetekend door Carla Chen")) fail("four eyes", `a second category manager could not sign off: ${state}`);
  await visit(page, checklistPath, "checklist signed off");
  console.log("second category manager: signed off");
  await signOut();

  // --- 4. the contract manager: the contract from the signed-off checklist, a report with its evidence ---
  await signInAs("cora", `${checklistPath}?lang=nl`);
  await startAtTop(page);
  await tabTo(page, `a[href="${checklistPath}/contract"]`);
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.keyboard.press("Enter")]);
  await visit(page, `${checklistPath}/contract`, "new contract");
  await startAtTop(page);
  await typeInto(page, "#supplier", "Webbureau Noord BV");
  await typeDate(page, "#start", "2025-01-01");
  await typeDate(page, "#end", "2027-01-01");
  await typeInto(page, "#value", "300000");
  await submit(page, 'form[action$="/contract"] button[type=submit]');
  const contractPath = new URL(page.url()).pathname;
  if (!contractPath.startsWith("/contracts/")) fail("contract manager", `the contract was not made: ${page.url()}`);
  await startAtTop(page);
  await chooseOption(page, "#commitment", "TOEG-DIG-03");
  await typeDate(page, "#on", "2025-11-01");
  await typeInto(page, "#value", "B");
  await chooseOption(page, "#evidence_kind", "wcag-em-report");
  await submit(page, 'form[action$="/reports"] button[type=submit]');
  const rated = await page.evaluate(() => document.body.innerText);
  if (!rated.includes("Opgeslagen.") || !rated.includes("status B")) fail("contract manager", "the report is not shown with its rating");
  console.log(`contract manager: contract ${contractPath} made from the signed-off checklist, a report entered by keyboard`);
  await visit(page, "/contracts", "contracts");
  await visit(page, contractPath, "contract");
  await visit(page, "/feeds", "calendar feed");
  await signOut();

  // --- 5. the policy officer reads the dashboard ---
  await signInAs("ilse", "/dashboard?lang=nl");
  const board = await page.evaluate(() => document.body.innerText);
  for (const want of ["Social return: afgesproken en gerealiseerd", "Oordelen over alle afspraken", "1 contracten"]) {
    if (!board.includes(want)) fail("policy officer", `the dashboard lacks ${want}`);
  }
  console.log("policy officer: the dashboard read");
  await visit(page, "/dashboard", "dashboard");
  await signOut();
} catch (error) {
  fail("run", error.stack || String(error));
} finally {
  await browser.close();
}
for (const line of audited) console.log(line);
if (failures.length) {
  console.error(failures.join("\n"));
  process.exit(1);
}
