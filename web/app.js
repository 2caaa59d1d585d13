// Firmwarden console, first page: the firmware table, the jobs panel, and live updates from /api/feed.
// Every string from the API may come from a hostile image or device (file names above all): text is only ever
// set through textContent or setAttribute, never parsed as HTML.

const FIRMWARE_URL = '/api/firmware?limit=200';
const JOBS_URL = '/api/jobs?limit=25';
const SHA256 = /^[0-9a-f]{64}$/;
const REFRESH_DEBOUNCE_MS = 250;
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 30000;

const $ = (id) => document.getElementById(id);

/** Build an element; text goes through textContent, attributes through setAttribute. */
function el(tag, { className, text, title, attrs } = {}, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (title) node.title = String(title);
  if (attrs) for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const child of children) node.append(child);
  return node;
}

function formatBytes(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

function formatTime(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso ?? '') : d.toLocaleString();
}

const clampPercent = (p) => Math.max(0, Math.min(100, Math.round(Number(p) || 0)));

async function getJson(url) {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error?.message ?? `${res.status} ${res.statusText}`);
  return body;
}

function showError(id, err) {
  const node = $(id);
  node.hidden = !err;
  node.textContent = err ? `Could not load: ${err.message}` : '';
}

// ---- status cell, shared by the firmware table and the jobs panel ----

/** Live progress per firmware (from the feed), so a table refresh does not reset a running bar. */
const liveProgress = new Map();

function statusCell(status, progress) {
  const wrap = el('span', { className: 'status' });
  wrap.append(el('span', { className: 'badge', text: status, attrs: { 'data-status': status } }));
  if (progress) {
    const bar = el('progress', { attrs: { max: 100, value: clampPercent(progress.percent) } });
    bar.title = `${clampPercent(progress.percent)}%`;
    wrap.append(bar);
    if (progress.stage) wrap.append(el('span', { className: 'stage muted', text: progress.stage }));
  }
  return wrap;
}

// ---- firmware table ----

const firmwareRows = new Map(); // sha256 -> <td> holding the status

function firmwareRow(fw) {
  const sha = String(fw.sha256 ?? '');
  const statusTd = el('td');
  statusTd.append(statusCell(fw.status, fw.status === 'analyzing' ? liveProgress.get(sha) ?? { percent: 0 } : null));
  firmwareRows.set(sha, statusTd);

  const findings = el('td', { className: 'num', text: fw.findingCount });
  if (fw.errorCount > 0) findings.append(el('span', { className: 'muted', text: ` (${fw.errorCount} errors)` }));

  const report = el('td');
  if (fw.analyzedAt && SHA256.test(sha)) {
    report.append(el('a', { text: 'JSON', attrs: { href: `/api/firmware/${sha}/report`, target: '_blank', rel: 'noopener' } }));
  } else {
    report.append(el('span', { className: 'muted', text: '—' }));
  }

  return el('tr', {}, [
    el('td', { className: 'name', text: fw.fileName, title: fw.fileName }),
    el('td', {}, [el('code', { text: `${sha.slice(0, 12)}…`, title: sha })]),
    el('td', { className: 'num', text: formatBytes(fw.size), title: `${fw.size} bytes` }),
    statusTd,
    el('td', { className: 'when', text: formatTime(fw.firstSeenAt), title: fw.firstSeenAt }),
    findings,
    report,
  ]);
}

let firmwareSeq = 0;
async function loadFirmware() {
  const seq = ++firmwareSeq;
  try {
    const page = await getJson(FIRMWARE_URL);
    if (seq !== firmwareSeq) return; // a newer load has started; its answer wins
    firmwareRows.clear();
    $('firmware-rows').replaceChildren(...page.items.map(firmwareRow));
    $('firmware-empty').hidden = page.total > 0;
    $('firmware-total').textContent =
      page.total > page.items.length ? `${page.items.length} of ${page.total}` : `${page.total}`;
    showError('firmware-error', null);
  } catch (err) {
    if (seq === firmwareSeq) showError('firmware-error', err);
  }
}

function setFirmwareStatus(sha, status, progress = null) {
  if (progress) liveProgress.set(sha, progress);
  else liveProgress.delete(sha);
  const td = firmwareRows.get(sha);
  if (td) td.replaceChildren(statusCell(status, progress));
}

// ---- jobs panel ----

const jobRows = new Map(); // job id -> <span> holding the status

function jobItem(job) {
  const running = job.status === 'running';
  const status = el('span');
  status.append(statusCell(job.status, running ? { percent: job.progress * 100, stage: job.stage } : null));
  jobRows.set(job.id, status);
  const li = el('li', { className: 'job' }, [
    el('span', { className: 'name', text: job.fileName, title: `${job.fileName}\n${job.sha256}` }),
    status,
    el('span', { className: 'muted', text: formatTime(job.createdAt), title: `job ${job.id}` }),
  ]);
  if (job.errorCode) {
    li.append(el('span', { className: 'error job-error', text: `${job.errorCode}: ${job.errorMessage ?? ''}` }));
  }
  return li;
}

let jobsSeq = 0;
async function loadJobs() {
  const seq = ++jobsSeq;
  try {
    const page = await getJson(JOBS_URL);
    if (seq !== jobsSeq) return;
    jobRows.clear();
    $('job-list').replaceChildren(...page.items.map(jobItem));
    $('jobs-empty').hidden = page.total > 0;
    $('jobs-total').textContent = page.total > page.items.length ? `latest ${page.items.length} of ${page.total}` : '';
    showError('jobs-error', null);
  } catch (err) {
    if (seq === jobsSeq) showError('jobs-error', err);
  }
}

/** Update a job in place; a job the panel does not show yet means the panel is stale. */
function setJobStatus(jobId, status, progress = null) {
  const span = jobRows.get(jobId);
  if (!span) return scheduleJobs();
  span.replaceChildren(statusCell(status, progress));
}

// Bursts of events (a folder of images arriving) become one request each, not one per event.
function debounce(fn) {
  let timer = null;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, REFRESH_DEBOUNCE_MS);
  };
}
const scheduleFirmware = debounce(loadFirmware);
const scheduleJobs = debounce(loadJobs);

// ---- live feed ----

function onFeedEvent({ type, data }) {
  if (!data || typeof data !== 'object') return;
  switch (type) {
    case 'hello':
      $('version').textContent = data.version ? `v${data.version}` : '';
      break;
    case 'firmwareReceived':
      scheduleFirmware();
      break;
    case 'jobQueued':
      setFirmwareStatus(data.sha256, 'queued');
      scheduleJobs();
      break;
    case 'jobStarted':
      setFirmwareStatus(data.sha256, 'analyzing', { percent: 0 });
      setJobStatus(data.jobId, 'running', { percent: 0 });
      break;
    case 'analysisProgress': {
      const progress = { percent: data.percent, stage: data.stage };
      setFirmwareStatus(data.sha256, 'analyzing', progress);
      setJobStatus(data.jobId, 'running', progress);
      break;
    }
    case 'analysisDone':
      setFirmwareStatus(data.sha256, 'analyzed');
      setJobStatus(data.jobId, 'done');
      scheduleFirmware(); // findings count and report link changed
      scheduleJobs();
      break;
    case 'jobFailed': {
      const status = data.willRetry ? 'queued' : 'failed';
      setFirmwareStatus(data.sha256, status);
      setJobStatus(data.jobId, status);
      scheduleJobs(); // shows the error code
      break;
    }
    default:
      break; // devices, alerts ...: other pages
  }
}

function setFeedState(state, text) {
  const node = $('feed-state');
  node.setAttribute('data-state', state);
  node.textContent = text;
}

let attempts = 0;
function connectFeed() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const ws = new WebSocket(`${scheme}://${location.host}/api/feed`);
  ws.addEventListener('open', () => {
    attempts = 0;
    setFeedState('live', 'live');
    // Events sent while we were away are lost: catch up from the API.
    scheduleFirmware();
    scheduleJobs();
  });
  ws.addEventListener('message', (ev) => {
    let msg;
    try {
      msg = JSON.parse(ev.data);
    } catch {
      return;
    }
    if (msg && typeof msg.type === 'string') onFeedEvent(msg);
  });
  ws.addEventListener('close', () => {
    // Exponential backoff with jitter, so a restarted daemon is not hit by every console at the same instant.
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempts++);
    const delay = Math.round(base / 2 + Math.random() * (base / 2));
    setFeedState('offline', `offline, retrying in ${Math.ceil(delay / 1000)} s`);
    setTimeout(connectFeed, delay);
  });
}

loadFirmware();
loadJobs();
connectFeed();
