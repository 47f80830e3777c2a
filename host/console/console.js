// dcmaid admin console: a single ES module, no framework, no build step.
//
// Rules this file keeps:
// - Every server string reaches the DOM through textContent (the `el` helper), never innerHTML.
// - Every request goes through `api`, which adds the bearer token and turns any 4xx/5xx
//   into an ApiError carrying the server's `error` and `field`; a 401 logs out.
// - Pollers (dashboard, logs) run only while their section is shown.

const TOKEN_KEY = 'dcmaid.adminToken';
const DASHBOARD_POLL_MS = 5000;
const LOGS_POLL_MS = 2000;
const MAX_LOG_LINES = 1000;
const SECTIONS = ['dashboard', 'plugins', 'jobs', 'memories', 'chat', 'logs'];

const $ = (id) => document.getElementById(id);

/* ------------------------------------------------------------------ */
/* DOM helpers                                                         */
/* ------------------------------------------------------------------ */

/**
 * Creates an element. `props` may hold `class`, `text` (set as textContent), `title`,
 * `dataset`, `on` ({event: handler}) or any other property set directly (e.g. `disabled`).
 * Children are nodes or strings (strings become text nodes, so they are escaped).
 */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = String(value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'on') for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
    else node[key] = value;
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Creates an SVG element (SVG needs its namespace; attributes are set, not properties). */
function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

/** A small coloured label: `kind` is one of ok, bad, warn, muted. */
function chip(text, kind = 'muted', title) {
  return el('span', { class: `chip chip-${kind}`, text, title });
}

/** Formats a number for a tile: whole numbers stay whole, small ones keep 3 significant digits. */
function formatNumber(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (Number.isInteger(value) || Math.abs(value) >= 100) return String(Math.round(value));
  return String(Number(value.toPrecision(3)));
}

/** A short local date-time for an RFC 3339 string, or a dash; unparsable text is shown as is. */
function formatTime(rfc3339) {
  if (!rfc3339) return '–';
  const date = new Date(rfc3339);
  return Number.isNaN(date.getTime()) ? rfc3339 : date.toLocaleString();
}

/** Like formatTime but only the clock, with milliseconds, for log lines. */
function formatClock(rfc3339) {
  const date = new Date(rfc3339);
  if (Number.isNaN(date.getTime())) return String(rfc3339 ?? '');
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/* ------------------------------------------------------------------ */
/* Status line                                                         */
/* ------------------------------------------------------------------ */

let statusTimer = null;

/** Shows `message` in the status line; info messages fade after a while, errors stay. */
function showStatus(message, kind = 'info') {
  const status = $('status');
  status.textContent = message;
  status.className = `status status-${kind}`;
  clearTimeout(statusTimer);
  if (kind !== 'error') statusTimer = setTimeout(() => { status.textContent = ''; status.className = 'status'; }, 6000);
}

/** Reports a failed request (or a thrown error) in the status line, naming the field if any. */
function showError(context, error) {
  if (error instanceof LoggedOut) return; // the login form already says what happened
  let message = error instanceof ApiError ? error.message : String(error?.message ?? error);
  if (error instanceof ApiError && error.field) message += ` (field: ${error.field})`;
  showStatus(`${context}: ${message}`, 'error');
}

/* ------------------------------------------------------------------ */
/* API client                                                          */
/* ------------------------------------------------------------------ */

class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field ?? null;
  }
}

/** Thrown after a 401 sent the user back to the login form, so callers stop quietly. */
class LoggedOut extends Error {}

function getToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/**
 * Calls the API. `options.json` is sent as a JSON body, `options.form` (FormData) as
 * multipart. Returns the parsed JSON, or null for an empty body (204).
 * `options.token` overrides the stored token (login uses it to verify a candidate);
 * `options.noLogout` keeps a 401 from logging out (also for the login check).
 */
async function api(method, path, options = {}) {
  const headers = { Authorization: `Bearer ${options.token ?? getToken() ?? ''}` };
  let body;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    body = options.form; // the browser sets the multipart boundary itself
  }
  const response = await fetch(path, { method, headers, body, cache: 'no-store' });
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!response.ok) {
    const message = data?.error ?? (text.trim() || `${response.status} ${response.statusText}`);
    if (response.status === 401 && !options.noLogout) {
      logout(message);
      throw new LoggedOut(message);
    }
    throw new ApiError(response.status, message, data?.field);
  }
  return data;
}

const enc = encodeURIComponent;

/* ------------------------------------------------------------------ */
/* Login and logout                                                    */
/* ------------------------------------------------------------------ */

/** Shows the login form or the console; leaving the console stops the pollers. */
function showLoggedIn(loggedIn) {
  $('login-view').hidden = loggedIn;
  $('app-view').hidden = !loggedIn;
  if (loggedIn) route();
  else {
    stopPollers();
    $('token').focus();
  }
}

/** Verifies the typed token with GET /api/v1/plugins before keeping it. */
async function login(event) {
  event.preventDefault();
  const token = $('token').value.trim();
  const errorBox = $('login-error');
  errorBox.textContent = '';
  if (!token) {
    errorBox.textContent = 'Enter the admin token.';
    return;
  }
  $('login').disabled = true;
  try {
    await api('GET', '/api/v1/plugins', { token, noLogout: true });
    sessionStorage.setItem(TOKEN_KEY, token);
    $('token').value = '';
    showLoggedIn(true);
  } catch (error) {
    errorBox.textContent = error instanceof ApiError
      ? `${error.message} (HTTP ${error.status})`
      : `Cannot reach the server: ${error.message}`;
  } finally {
    $('login').disabled = false;
  }
}

/** Forgets the token and returns to the login form, with `reason` shown there if given. */
function logout(reason) {
  sessionStorage.removeItem(TOKEN_KEY);
  $('login-error').textContent = reason ?? '';
  showLoggedIn(false);
}

/* ------------------------------------------------------------------ */
/* Routing                                                             */
/* ------------------------------------------------------------------ */

const pollers = { dashboard: null, logs: null };

function stopPollers() {
  for (const key of Object.keys(pollers)) {
    clearInterval(pollers[key]);
    pollers[key] = null;
  }
}

/** Runs `fn` now and every `ms` while `section` is shown. */
function startPoller(section, fn, ms) {
  fn();
  pollers[section] = setInterval(fn, ms);
}

/** Shows the section named by the URL hash and loads what it needs. */
function route() {
  if (!getToken()) return showLoggedIn(false);
  const name = SECTIONS.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'dashboard';
  for (const section of document.querySelectorAll('[data-section]')) {
    section.hidden = section.dataset.section !== name;
  }
  for (const link of document.querySelectorAll('.topbar nav a[href^="#"]')) {
    link.classList.toggle('active', link.getAttribute('href') === `#${name}`);
  }
  stopPollers();
  switch (name) {
    case 'dashboard': startPoller('dashboard', loadMetrics, DASHBOARD_POLL_MS); break;
    case 'plugins': loadPlugins(); break;
    case 'jobs': loadJobs(); break;
    case 'chat': $('chat-input').focus(); break;
    case 'logs': startPoller('logs', pollLogs, LOGS_POLL_MS); break;
    default: break;
  }
}

/* ------------------------------------------------------------------ */
/* 1. Dashboard                                                        */
/* ------------------------------------------------------------------ */

async function loadMetrics() {
  try {
    const summary = await api('GET', '/api/v1/metrics/summary');
    renderTiles(summary);
    renderChart(summary.per_minute ?? []);
  } catch (error) {
    showError('Metrics', error);
  }
}

function renderTiles(summary) {
  $('tile-mpm').textContent = formatNumber(summary.messages_per_minute);
  $('tile-p95').textContent = formatNumber(summary.p95_latency_ms);
  $('tile-users').textContent = formatNumber(summary.active_users);
  $('tile-errors').textContent = formatNumber(summary.errors);
  $('tile-errors').classList.toggle('bad', summary.errors > 0);
  const minutes = Math.round((summary.window_secs ?? 0) / 60);
  $('dash-extra').textContent =
    `${summary.messages ?? 0} messages in the last ${minutes} min · ` +
    `${summary.plugins_loaded ?? 0} plugins loaded, ${summary.plugins_failed ?? 0} failed`;
}

/** Draws `perMinute` (oldest first) as bars in an inline SVG that scales to its box. */
function renderChart(perMinute) {
  const width = 300;
  const height = 80;
  const max = Math.max(1, ...perMinute);
  const slot = width / Math.max(perMinute.length, 1);
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height + 1}`, preserveAspectRatio: 'none',
    role: 'img', 'aria-label': 'Messages per minute, oldest first',
  });
  perMinute.forEach((count, i) => {
    const barHeight = (count / max) * height;
    const bar = svg('rect', {
      x: (i * slot + slot * 0.15).toFixed(2), y: (height - barHeight).toFixed(2),
      width: (slot * 0.7).toFixed(2), height: Math.max(barHeight, count > 0 ? 1 : 0).toFixed(2),
      class: 'bar',
    });
    const ago = perMinute.length - 1 - i;
    bar.append(svg('title', {}, `${count} message(s), ${ago === 0 ? 'this minute' : `${ago} min ago`}`));
    chart.append(bar);
  });
  chart.append(svg('line', { x1: 0, y1: height, x2: width, y2: height, class: 'axis' }));
  // Labels are HTML, not SVG text: the SVG stretches to its box and would distort text.
  const labels = el('div', { class: 'chart-labels' },
    el('span', { text: `${perMinute.length} min ago` }), el('span', { text: `now · max ${max}/min` }));
  $('chart').replaceChildren(chart, labels);
}

/* ------------------------------------------------------------------ */
/* 2. Plugins                                                          */
/* ------------------------------------------------------------------ */

async function loadPlugins() {
  try {
    const list = await api('GET', '/api/v1/plugins');
    renderPlugins(list);
  } catch (error) {
    showError('Plugins', error);
  }
}

function renderPlugins({ loaded = [], failed = [], disabled = [], conflicts = [] }) {
  const rows = [
    ...loaded.map(renderPluginRow),
    ...disabled.map(renderDisabledRow),
  ];
  if (rows.length === 0) rows.push(el('tr', {}, el('td', { colSpan: 9, class: 'muted', text: 'No plugins.' })));
  document.querySelector('#plugins-table tbody').replaceChildren(...rows);

  const failedBox = $('plugins-failed');
  failedBox.replaceChildren();
  if (failed.length > 0) {
    failedBox.append(
      el('h3', { text: 'Failed to load' }),
      el('ul', { class: 'plain-list' }, failed.map((f) =>
        el('li', { class: 'failed' }, el('code', { text: f.manifest }), ': ', el('span', { class: 'error', text: f.error })))),
    );
  }
  // What several plugins claim: who has it, and whether the config chose.
  if (conflicts.length > 0) {
    failedBox.append(
      el('h3', { text: 'Claimed by several plugins' }),
      el('ul', { class: 'plain-list' }, conflicts.map((c) =>
        el('li', { class: 'conflict' }, el('code', { text: c.claim }), `: ${c.claimants.join(', ')}; `,
          el('strong', { text: c.chosen }),
          c.by_config ? ' has it, as the config says' : ' has it (trusted first, then by name; choose in dcmaid.toml [routes])'))),
    );
  }
}

/**
 * One cell per field; `label` becomes data-label so the narrow-screen card layout can show
 * it. The content is wrapped in one div so it stays one grid item in that layout.
 */
function cell(label, ...content) {
  return el('td', { dataset: { label } }, el('div', {}, ...content));
}

/** Capabilities as chips: granted ones green, requested-but-not-granted ones red. */
function capabilityChips(requested = [], granted = []) {
  const all = [...new Set([...requested, ...granted])];
  if (all.length === 0) return [el('span', { class: 'muted', text: 'none' })];
  return all.map((cap) => granted.includes(cap)
    ? chip(cap, 'ok', 'granted')
    : chip(cap, 'bad chip-denied', 'requested, not granted'));
}

function renderPluginRow(plugin) {
  const name = plugin.name;
  return el('tr', {},
    cell('Name', el('strong', { text: name }), plugin.description ? el('div', { class: 'muted small', text: plugin.description }) : null,
      plugin.origin ? el('div', { class: 'muted small', text: `from ${plugin.origin}` }) : null),
    cell('Version', plugin.version),
    cell('Role', plugin.role),
    cell('WIT', plugin.wit),
    cell('Enabled', chip('yes', 'ok')),
    cell('Capabilities', el('div', { class: 'chips' }, capabilityChips(plugin.requested, plugin.granted))),
    cell('HTTP hosts', (plugin.http_hosts ?? []).join(', ') || '–'),
    cell('Budgets', ...budgetLines(plugin.budget)),
    cell('Actions', el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'swap', text: 'Hot-swap', title: 'Reload from its folder', on: { click: () => pluginAction(name, 'reload') } }),
      el('button', { type: 'button', class: 'rollback secondary', text: 'Roll back', disabled: !plugin.can_roll_back,
        title: plugin.can_roll_back ? 'Swap back to the previous version' : 'No previous version to roll back to',
        on: { click: () => pluginAction(name, 'rollback') } }),
      el('button', { type: 'button', class: 'toggle secondary', text: 'Disable', on: { click: () => pluginAction(name, 'disable') } }),
    )),
  );
}

/** A plugin's budgets, used beside allowed, and the limits that stopped it (in red). */
function budgetLines(budget) {
  if (!budget) return ['–'];
  const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;
  const stored = (usage, items) => usage
    ? `${usage.items} / ${usage.max_items} ${items}, ${mib(usage.bytes)} / ${mib(usage.max_bytes)}`
    : '–';
  const line = (text) => el('div', { class: 'small', text });
  const hits = Object.entries(budget.limit_hits ?? {});
  return [
    line(`CPU ${budget.cpu_seconds_last_minute.toFixed(1)} / ${budget.cpu_seconds_per_minute} s a minute`),
    line(`Memory ${mib(budget.memory_bytes)} / ${mib(budget.memory_max_bytes)}`),
    line(`kv ${stored(budget.kv, 'keys')}`),
    line(`store ${stored(budget.store, 'documents')}`),
    line(`LLM ${budget.llm.requests_last_minute} / ${budget.llm.requests_per_minute} a minute, ${budget.llm.tokens_last_day} / ${budget.llm.tokens_per_day} tokens a day`),
    budget.log_lines_dropped > 0 ? line(`${budget.log_lines_dropped} log lines dropped`) : null,
    hits.length > 0
      ? el('div', { class: 'chips' }, hits.map(([limit, n]) => chip(`${limit} ×${n}`, 'bad', 'times this limit stopped the plugin')))
      : null,
  ];
}

function renderDisabledRow(name) {
  return el('tr', { class: 'disabled-row' },
    cell('Name', el('strong', { text: name })),
    cell('Version', '–'), cell('Role', '–'), cell('WIT', '–'),
    cell('Enabled', chip('no', 'muted')),
    cell('Capabilities', '–'), cell('HTTP hosts', '–'), cell('Budgets', '–'),
    cell('Actions', el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'toggle', text: 'Enable', on: { click: () => pluginAction(name, 'enable') } }))),
  );
}

/** "from → to in N ms" for a Swapped answer. */
function describeSwap(swapped) {
  return `${swapped.plugin}: ${swapped.from ?? '(none)'} → ${swapped.to} in ${swapped.took} ms`;
}

/** POSTs one of reload, rollback, enable, disable for `name`, then re-reads the list. */
async function pluginAction(name, action) {
  const labels = { reload: 'Hot-swap', rollback: 'Roll back', enable: 'Enable', disable: 'Disable' };
  try {
    const result = await api('POST', `/api/v1/plugins/${enc(name)}/${action}`);
    showStatus(action === 'disable' ? `${name} disabled` : `${labels[action]}: ${describeSwap(result)}`, 'ok');
  } catch (error) {
    showError(`${labels[action]} ${name}`, error);
  } finally {
    await loadPlugins();
  }
}

/*
 * Capability review before install: each install button is enabled only after a review
 * of exactly what it would install succeeded (and was not refused). Changing the
 * reference or any file disables it again.
 */
const review = { registryRef: null, uploadReady: false };

function syncInstallButtons() {
  $('install').disabled = review.registryRef === null || review.registryRef !== $('install-ref').value.trim();
  $('upload').disabled = !review.uploadReady;
}

/** Renders a Review into #review-result; `source` says which form it came from. */
function renderReview(result, source) {
  const box = $('review-result');
  box.className = '';
  const caps = result.capabilities ?? [];
  // replaceChildren would print a null as "null": drop the parts that do not apply.
  box.replaceChildren(...[
    el('p', {}, el('strong', { text: `${result.name} ${result.version}` }), ` (${source})`),
    result.description ? el('p', { class: 'muted', text: result.description }) : null,
    el('p', {}, 'Publisher: ', result.publisher ? el('strong', { text: result.publisher }) : el('span', { class: 'warn', text: 'unsigned / unknown' })),
    el('p', {}, 'Identity: ', el('code', { text: result.identity ?? '' })),
    el('p', {}, 'Built against: ', result.wit ? `dcmaid:bot@${result.wit}` : el('span', { class: 'warn', text: 'a WIT this host does not speak' })),
    el('table', { class: 'review-caps' },
      el('thead', {}, el('tr', {}, el('th', { text: 'Capability' }), el('th', { text: 'Granted' }))),
      el('tbody', {}, caps.length === 0
        ? el('tr', {}, el('td', { colSpan: 2, class: 'muted', text: 'asks for no capabilities' }))
        : caps.map((c) => el('tr', {}, el('td', {}, el('code', { text: c.name })),
          el('td', {}, c.granted ? chip('yes', 'ok') : chip('no', 'bad')))))),
    el('p', {}, 'HTTP hosts: ', (result.http_hosts ?? []).length ? (result.http_hosts).join(', ') : el('span', { class: 'muted', text: 'none' })),
    result.refused ? el('p', { class: 'error refused' }, el('strong', { text: 'Refused: ' }), result.refused) : null,
  ].filter(Boolean));
  if (caps.some((c) => !c.granted) && !result.refused) {
    box.append(el('p', { class: 'warn', text: 'Some capabilities are not granted: tick the box below to install anyway (those calls will fail).' }));
  }
}

/** What the operator allows this install beyond the usual, as the API's flags. */
function allowances() {
  return {
    allow_unsigned: $('allow-unsigned').checked,
    replace: $('replace').checked,
  };
}

/** Reviews the registry reference. */
async function reviewRegistry(event) {
  event.preventDefault();
  const reference = $('install-ref').value.trim();
  review.registryRef = null;
  syncInstallButtons();
  if (!reference) return showStatus('Enter a reference to review.', 'error');
  try {
    const result = await api('POST', '/api/v1/plugins/review', { json: { reference, ...allowances() } });
    renderReview(result, reference);
    review.registryRef = result.refused ? null : reference;
  } catch (error) {
    showError('Review', error);
  }
  syncInstallButtons();
}

/** Renders the install answer into #install-result. */
function renderInstall(result) {
  const { installed, swapped } = result;
  const notGranted = installed.not_granted ?? [];
  $('install-result').replaceChildren(el('div', { class: 'result ok' },
    el('p', {}, el('strong', { text: `Installed ${installed.name} ${installed.version}` }),
      installed.replaced ? ` (replaced ${installed.replaced})` : ''),
    swapped ? el('p', { text: `Swapped ${describeSwap(swapped)}` }) : null,
    el('p', { class: 'small' }, 'Granted: ', (installed.granted ?? []).join(', ') || 'none'),
    notGranted.length ? el('p', { class: 'small warn', text: `Not granted: ${notGranted.join(', ')}` }) : null,
    (installed.http_hosts ?? []).length ? el('p', { class: 'small', text: `HTTP hosts: ${installed.http_hosts.join(', ')}` }) : null,
  ));
  showStatus(`Installed ${installed.name} ${installed.version}`, 'ok');
}

async function installRegistry() {
  const reference = review.registryRef;
  if (!reference) return;
  $('install').disabled = true;
  $('install-result').replaceChildren();
  try {
    const result = await api('POST', '/api/v1/plugins/install', {
      json: { reference, without_ungranted: $('without-ungranted').checked, ...allowances() },
    });
    renderInstall(result);
  } catch (error) {
    showError('Install', error);
  } finally {
    syncInstallButtons();
    await loadPlugins();
  }
}

/** The upload form's files as FormData, or null (with a status message) when one is missing. */
function uploadForm(withChoice) {
  const manifest = $('upload-manifest').files[0];
  const component = $('upload-component').files[0];
  const signature = $('upload-signature').files[0];
  if (!manifest || !component) {
    showStatus('Choose the manifest (plugin.toml) and the component (.wasm).', 'error');
    return null;
  }
  const form = new FormData();
  form.append('manifest', manifest, manifest.name);
  form.append('component', component, component.name);
  if (signature) form.append('signature', signature, signature.name);
  if (withChoice) form.append('without_ungranted', $('without-ungranted').checked ? 'true' : 'false');
  for (const [flag, on] of Object.entries(allowances())) form.append(flag, on ? 'true' : 'false');
  return form;
}

async function reviewUpload(event) {
  event.preventDefault();
  review.uploadReady = false;
  syncInstallButtons();
  const form = uploadForm(false);
  if (!form) return;
  try {
    const result = await api('POST', '/api/v1/plugins/upload/review', { form });
    renderReview(result, 'upload');
    review.uploadReady = !result.refused;
  } catch (error) {
    showError('Review upload', error);
  }
  syncInstallButtons();
}

async function installUpload() {
  const form = uploadForm(true);
  if (!form) return;
  $('upload').disabled = true;
  $('install-result').replaceChildren();
  try {
    renderInstall(await api('POST', '/api/v1/plugins/upload', { form }));
  } catch (error) {
    showError('Upload', error);
  } finally {
    syncInstallButtons();
    await loadPlugins();
  }
}

/* ------------------------------------------------------------------ */
/* 3. Jobs                                                             */
/* ------------------------------------------------------------------ */

async function loadJobs() {
  try {
    const jobs = await api('GET', '/api/v1/jobs');
    const rows = jobs.map(renderJobRow);
    if (rows.length === 0) rows.push(el('tr', {}, el('td', { colSpan: 10, class: 'muted', text: 'No jobs.' })));
    document.querySelector('#jobs-table tbody').replaceChildren(...rows);
  } catch (error) {
    showError('Jobs', error);
  }
}

function statusChip(status, error) {
  if (status === 'ok') return chip('ok', 'ok');
  if (status === 'error') return chip('error', 'bad', error ?? undefined);
  return el('span', { class: 'muted', text: '–' });
}

function renderJobRow(job) {
  const name = job.name;
  return el('tr', {},
    cell('Name', el('strong', { text: name })),
    cell('Cron', el('code', { text: job.cron })),
    cell('Timezone', job.timezone ?? 'default'),
    cell('Command', job.command),
    cell('Source', job.source),
    cell('Enabled', job.enabled ? chip('yes', 'ok') : chip('no', 'muted')),
    cell('Next run', formatTime(job.next_run_at)),
    cell('Last run', formatTime(job.last_run_at)),
    cell('Last status', statusChip(job.last_status, job.last_error),
      job.last_error ? el('div', { class: 'error small', text: job.last_error }) : null),
    cell('Actions', el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'run', text: 'Run now', on: { click: () => runJob(name) } }),
      el('button', { type: 'button', class: 'toggle secondary', text: job.enabled ? 'Disable' : 'Enable',
        on: { click: () => toggleJob(name, !job.enabled) } }),
      el('button', { type: 'button', class: 'history secondary', text: 'History', on: { click: () => showHistory(name) } }),
      el('button', { type: 'button', class: 'remove danger', text: 'Remove', on: { click: () => removeJob(name) } }),
    )),
  );
}

async function runJob(name) {
  try {
    const result = await api('POST', `/api/v1/jobs/${enc(name)}/run`);
    if (result.status === 'ok') showStatus(`Ran ${result.job}: ok`, 'ok');
    else showStatus(`Ran ${result.job}: ${result.error ?? 'error'}`, 'error');
  } catch (error) {
    showError(`Run ${name}`, error);
  }
  await loadJobs();
}

async function toggleJob(name, enable) {
  try {
    await api('POST', `/api/v1/jobs/${enc(name)}/${enable ? 'enable' : 'disable'}`);
    showStatus(`${name} ${enable ? 'enabled' : 'disabled'}`, 'ok');
  } catch (error) {
    showError(`${enable ? 'Enable' : 'Disable'} ${name}`, error);
  }
  await loadJobs();
}

async function removeJob(name) {
  if (!confirm(`Remove the job "${name}"?`)) return;
  try {
    await api('DELETE', `/api/v1/jobs/${enc(name)}`);
    showStatus(`Removed ${name}`, 'ok');
    if ($('job-history').dataset.job === name) $('job-history').hidden = true;
  } catch (error) {
    showError(`Remove ${name}`, error);
  }
  await loadJobs();
}

/** Shows the run history of `name` (newest first) below the table. */
async function showHistory(name) {
  try {
    const runs = await api('GET', `/api/v1/jobs/${enc(name)}/history`);
    const box = $('job-history');
    box.dataset.job = name;
    $('job-history-title').textContent = `History of ${name}`;
    const items = runs.map((run) => el('li', {},
      statusChip(run.status, run.error), ' ',
      el('span', { text: `scheduled ${formatTime(run.scheduled_for)}, finished ${formatTime(run.finished_at)}` }),
      run.error ? el('div', { class: 'error small', text: run.error }) : null));
    $('job-history-list').replaceChildren(...(items.length ? items : [el('li', { class: 'muted', text: 'No runs yet.' })]));
    box.hidden = false;
    box.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
  } catch (error) {
    showError(`History of ${name}`, error);
  }
}

async function addJob(event) {
  event.preventDefault();
  const body = {
    name: $('job-name').value.trim(),
    cron: $('job-cron').value.trim(),
    command: $('job-command').value,
  };
  const timezone = $('job-tz').value.trim();
  if (timezone) body.timezone = timezone;
  try {
    const job = await api('POST', '/api/v1/jobs', { json: body });
    showStatus(`Added ${job.name}; next run ${formatTime(job.next_run_at)}`, 'ok');
    $('job-form').reset();
  } catch (error) {
    showError('Add job', error);
  }
  await loadJobs();
}

/* ------------------------------------------------------------------ */
/* 4. Memories and persona state                                       */
/* ------------------------------------------------------------------ */

/** The user id typed in the memory form, or null after saying it is needed. */
function memoryUser() {
  const userId = $('mem-user').value.trim();
  if (!userId) showStatus('Enter a user id, e.g. web:alice.', 'error');
  return userId || null;
}

async function searchMemories(event) {
  event?.preventDefault();
  const userId = memoryUser();
  if (!userId) return;
  const query = $('mem-query').value.trim();
  if (!query) return showStatus('Enter what to look for.', 'error'); // the API needs a query
  const params = new URLSearchParams({ user_id: userId, query, limit: '10' });
  try {
    const memories = await api('GET', `/api/v1/memories?${params}`);
    const items = memories.map((m) => el('li', { class: 'memory' },
      el('div', { class: 'memory-text', text: m.text }),
      el('div', { class: 'muted small' },
        `score ${typeof m.score === 'number' ? m.score.toFixed(3) : m.score} · id `, el('code', { text: m.id })),
      el('button', { type: 'button', class: 'forget danger', text: 'Forget', on: { click: () => forgetMemory(userId, m.id) } })));
    $('mem-results').replaceChildren(...(items.length ? items : [el('li', { class: 'muted', text: 'No memories found.' })]));
  } catch (error) {
    showError('Memories', error);
  }
}

async function forgetMemory(userId, id) {
  try {
    await api('DELETE', `/api/v1/memories/${enc(id)}?${new URLSearchParams({ user_id: userId })}`);
    showStatus('Memory forgotten', 'ok');
  } catch (error) {
    showError('Forget', error);
  }
  await searchMemories();
}

async function loadPersona() {
  const userId = memoryUser();
  if (!userId) return;
  try {
    const persona = await api('GET', `/api/v1/persona/${enc(userId)}`);
    $('persona-state').textContent = JSON.stringify(persona, null, 2);
    $('persona-state').hidden = false;
  } catch (error) {
    showError('Persona state', error);
  }
}

/* ------------------------------------------------------------------ */
/* 5. Chat                                                             */
/* ------------------------------------------------------------------ */

/** Appends a bubble; `who` is 'user' or 'bot' (the class tests and styles rely on). */
function appendBubble(who, text, meta) {
  const log = $('chat-log');
  const bubble = el('div', { class: `bubble ${who}` }, el('div', { class: 'bubble-text', text }));
  if (meta) bubble.append(el('div', { class: 'bubble-meta', text: meta }));
  log.append(bubble);
  log.scrollTop = log.scrollHeight;
  return bubble;
}

/** The small line under a bot bubble: which plugin and command answered, and how fast. */
function replyMeta(reply) {
  const parts = [];
  if (reply.plugin) parts.push(reply.plugin);
  if (reply.command) parts.push(`/${reply.command.replace(/^\//, '')}`);
  if (typeof reply.latency_us === 'number') parts.push(`${(reply.latency_us / 1000).toFixed(1)} ms`);
  if (reply.failed) parts.push('plugin failed');
  if (reply.model_failed) parts.push('model failed');
  return parts.join(' · ');
}

async function sendChat(event) {
  event.preventDefault();
  const input = $('chat-input');
  const text = input.value.trim();
  const userId = $('chat-user').value.trim() || 'console-admin';
  if (!text) return;
  const send = $('chat-send');
  if (send.disabled) return; // one message at a time
  send.disabled = true;
  appendBubble('user', text, userId);
  input.value = '';
  try {
    const reply = await api('POST', '/api/v1/chat', { json: { user_id: userId, text } });
    const bubble = appendBubble('bot', reply.reply ?? '', replyMeta(reply));
    if (reply.failed || reply.model_failed) bubble.classList.add('failed');
  } catch (error) {
    showError('Chat', error);
    appendBubble('system', error instanceof ApiError ? `Error: ${error.message}` : 'Error sending the message');
  } finally {
    send.disabled = false;
    input.focus();
  }
}

/* ------------------------------------------------------------------ */
/* 6. Logs                                                             */
/* ------------------------------------------------------------------ */

const logState = { after: null, busy: false };

/** Fetches lines newer than the last one seen; skips a tick while paused or still busy. */
async function pollLogs() {
  if ($('logs-pause').checked || logState.busy) return;
  logState.busy = true;
  try {
    const query = logState.after === null ? '' : `?after=${logState.after}`;
    const lines = await api('GET', `/api/v1/logs${query}`);
    appendLogLines(lines);
  } catch (error) {
    showError('Logs', error);
  } finally {
    logState.busy = false;
  }
}

function appendLogLines(lines) {
  if (!lines.length) return;
  const box = $('log-lines');
  // Follow the tail only if the user is already at the bottom (not reading older lines).
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const fragment = document.createDocumentFragment();
  for (const line of lines) {
    const level = String(line.level ?? '').toUpperCase();
    fragment.append(el('div', { class: `log-line level-${level.toLowerCase()}` },
      el('span', { class: 'log-time', text: formatClock(line.time), title: line.time }),
      el('span', { class: 'log-level', text: level }),
      el('span', { class: 'log-target', text: line.target }),
      el('span', { class: 'log-message', text: line.message })));
    logState.after = Math.max(logState.after ?? -Infinity, line.seq);
  }
  box.append(fragment);
  while (box.childElementCount > MAX_LOG_LINES) box.firstElementChild.remove();
  if (atBottom) box.scrollTop = box.scrollHeight;
}

/* ------------------------------------------------------------------ */
/* Wiring                                                              */
/* ------------------------------------------------------------------ */

function wire() {
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', () => logout());
  window.addEventListener('hashchange', route);

  $('registry-form').addEventListener('submit', reviewRegistry);
  $('install').addEventListener('click', installRegistry);
  $('install-ref').addEventListener('input', syncInstallButtons);
  $('upload-form').addEventListener('submit', reviewUpload);
  $('upload').addEventListener('click', installUpload);
  // What is allowed changes what a review says: review again.
  for (const id of ['allow-unsigned', 'replace']) {
    $(id).addEventListener('change', () => {
      review.uploadReady = false;
      review.registryRef = null;
      syncInstallButtons();
    });
  }
  for (const id of ['upload-manifest', 'upload-component', 'upload-signature']) {
    $(id).addEventListener('change', () => { review.uploadReady = false; syncInstallButtons(); });
  }

  $('job-form').addEventListener('submit', addJob);

  $('mem-form').addEventListener('submit', searchMemories);
  $('persona-load').addEventListener('click', loadPersona);

  // A form submit covers both the Send button and the Enter key in the input.
  $('chat-form').addEventListener('submit', sendChat);
}

wire();
showLoggedIn(Boolean(getToken()));
