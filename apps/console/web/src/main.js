// The leadflow console: preact + htm (tagged templates, so no JSX step), hash routes, live updates over SSE.
import { h, render } from 'preact';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import { api, session, stream } from './api.js';
import { ago, ahead, isoOf, n, query } from './format.js';

const html = htm.bind(h);

// ---------------------------------------------------------------- routing

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, qs] = raw.split('?');
  return { path, params: Object.fromEntries(new URLSearchParams(qs ?? '')) };
}

function useRoute() {
  const [route, setRoute] = useState(parseHash());
  useEffect(() => {
    const on = () => setRoute(parseHash());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** Loads `path` and reloads it whenever `version` changes (a live update). */
function useData(path, version) {
  const [state, setState] = useState({ loading: true });
  useEffect(() => {
    let live = true;
    if (!path) return undefined;
    api(path).then(
      (data) => live && setState({ data }),
      (error) => live && setState({ error }),
    );
    return () => {
      live = false;
    };
  }, [path, version]);
  return state;
}

// ---------------------------------------------------------------- live updates

/** One stream of changes for the whole page; `version` bumps at most once a second, the message says what came. */
function useLive(enabled) {
  const [live, setLive] = useState({ version: 0, message: '' });
  useEffect(() => {
    if (!enabled) return undefined;
    let pending = { 'dead-letter': 0, delivered: 0, replayed: 0, 'quota-wait': 0 };
    let timer;
    const stop = stream('/api/live', (event, data) => {
      pending[event] = (pending[event] ?? 0) + (data.count ?? 1);
      timer ??= setTimeout(() => {
        timer = undefined;
        const parts = [];
        if (pending['dead-letter']) parts.push(`${n(pending['dead-letter'])} new dead letter(s)`);
        if (pending.delivered) parts.push(`${n(pending.delivered)} delivered`);
        if (pending.replayed) parts.push(`${n(pending.replayed)} replayed`);
        if (pending['quota-wait']) parts.push('quota waits changed');
        pending = { 'dead-letter': 0, delivered: 0, replayed: 0, 'quota-wait': 0 };
        setLive((l) => ({ version: l.version + 1, message: parts.join(', ') }));
      }, 1000);
    });
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, [enabled]);
  return live;
}

// ---------------------------------------------------------------- shared pieces

const Loading = () => html`<p class="muted" role="status">Loading…</p>`;
const Failure = ({ error }) => html`<p class="error" role="alert">${error.message}</p>`;

function Heading({ children }) {
  const ref = useRef(null);
  // A route change moves focus to the page's heading, so keyboard and screen-reader users start there.
  useEffect(() => ref.current?.focus(), []);
  return html`<h1 tabindex="-1" ref=${ref}>${children}</h1>`;
}

function Table({ label, head, children }) {
  return html`<div class="table-wrap" role="region" aria-label=${label} tabindex="0">
    <table>
      <thead>
        <tr>
          ${head.map((c) => html`<th scope="col" class=${c.num ? 'num' : ''}>${c.label ?? c}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${children}
      </tbody>
    </table>
  </div>`;
}

const offerLink = (offerId) =>
  offerId && offerId !== '(unknown)'
    ? html`<a href=${`#/offers/${encodeURIComponent(offerId)}`}>${offerId}</a>`
    : html`<span class="muted">${offerId || 'unknown'}</span>`;
const leadLink = (leadId) =>
  leadId ? html`<a href=${`#/leads/${encodeURIComponent(leadId)}`}>${leadId}</a>` : html`<span class="muted">—</span>`;
const When = ({ at }) => html`<time datetime=${isoOf(at)} title=${isoOf(at)}>${ago(at)}</time>`;

// ---------------------------------------------------------------- login

function Login({ onDone }) {
  const [error, setError] = useState('');
  const submit = async (e) => {
    e.preventDefault();
    const token = new FormData(e.currentTarget).get('token');
    session.set(String(token));
    try {
      const who = await api('/api/session');
      onDone(who.name);
    } catch (err) {
      session.clear();
      setError(err.message);
    }
  };
  return html`<main id="main">
    <${Heading}>Sign in to the leadflow console<//>
    <form class="inline" onSubmit=${submit}>
      <label>Console token <input name="token" type="password" autocomplete="current-password" required /></label>
      <button type="submit">Sign in</button>
    </form>
    ${error && html`<p class="error" role="alert">${error}</p>`}
  </main>`;
}

// ---------------------------------------------------------------- overview

function Trend({ buckets, label }) {
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const total = buckets.reduce((s, b) => s + b.count, 0);
  return html`<figure>
    <div class="trend" role="img" aria-label=${`${label}: ${n(total)} dead letters`}>
      ${buckets.map(
        (b) =>
          html`<div class="bar" style=${`height:${(b.count / max) * 100}%`} title=${`${b.start}: ${b.count}`}></div>`,
      )}
    </div>
    <figcaption class="muted">${label}: ${n(total)} dead letters</figcaption>
  </figure>`;
}

function Overview({ version }) {
  const { data, error } = useData('/api/overview', version);
  const [range, setRange] = useState('24h');
  if (error) return html`<${Failure} error=${error} />`;
  if (!data) return html`<${Loading} />`;
  const dl = data.deadLetters;
  return html`
    ${!data.ready && html`<p class="notice" role="status">The index is still reading the topics; counts are growing.</p>`}
    <section aria-labelledby="totals">
      <h2 id="totals">Totals</h2>
      <div class="cards">
        <div class="card">
          <div class="n" data-testid="dead-letter-total">${n(dl.total)}</div>
          <div class="label">dead letters</div>
        </div>
        <div class="card">
          <div class="n">${n(dl.replayed)}</div>
          <div class="label">of them replayed</div>
        </div>
        ${data.delivered.map(
          (d) =>
            html`<div class="card">
              <div class="n" data-testid=${`delivered-${d.destination}`}>${n(d.count)}</div>
              <div class="label">delivered to ${d.destination}</div>
            </div>`,
        )}
      </div>
    </section>
    <section aria-labelledby="trend">
      <h2 id="trend">Dead letters over time</h2>
      <div role="group" aria-label="Trend range">
        <button
          class=${range === '24h' ? '' : 'secondary'}
          aria-pressed=${range === '24h'}
          onClick=${() => setRange('24h')}
        >
          Last 24 h
        </button>
        ${' '}
        <button
          class=${range === '7d' ? '' : 'secondary'}
          aria-pressed=${range === '7d'}
          onClick=${() => setRange('7d')}
        >
          Last 7 days
        </button>
      </div>
      ${
        range === '24h'
          ? html`<${Trend} buckets=${data.trend.last24h} label="Last 24 hours, per hour" />`
          : html`<${Trend} buckets=${data.trend.last7d} label="Last 7 days, per day" />`
      }
    </section>
    <section aria-labelledby="groups">
      <h2 id="groups">Dead letters by stage, class and offer (newest first)</h2>
      ${
        dl.groups.length === 0
          ? html`<p>No dead letters.</p>`
          : html`<${Table}
              label="Dead letters by stage, class and offer"
              head=${['Stage', 'Class', 'Offer', { label: 'Count', num: true }, { label: 'Replayed', num: true }, 'Newest', 'Remediation', 'Actions']}
            >
              ${dl.groups.map((g) => {
                const f = { stage: g.stage, class: g.errorClass, offer: g.offerId === '(unknown)' ? '' : g.offerId };
                return html`<tr data-testid="group-row" key=${`${g.stage}|${g.errorClass}|${g.offerId}`}>
                  <td>${g.stage}</td>
                  <td><code>${g.errorClass}</code></td>
                  <td>${offerLink(g.offerId)}</td>
                  <td class="num">${n(g.count)}</td>
                  <td class="num">${n(g.replayed)}</td>
                  <td><${When} at=${g.newest} /></td>
                  <td class="remediation">${g.remediation}</td>
                  <td>
                    <a href=${`#/dead-letters${query(f)}`}
                      >Dead letters<span class="sr-only"> of ${g.errorClass} for ${g.offerId}</span></a
                    >
                    ${' · '}
                    <a href=${`#/replay${query(f)}`}
                      >Replay…<span class="sr-only"> ${g.errorClass} for ${g.offerId}</span></a
                    >
                  </td>
                </tr>`;
              })}
            <//>`
      }
    </section>
    <section aria-labelledby="validations">
      <h2 id="validations">Offers whose validation lead failed</h2>
      ${
        data.failedValidations.length === 0
          ? html`<p>None.</p>`
          : html`<ul>
              ${data.failedValidations.map(
                (v) =>
                  html`<li>
                    ${offerLink(v.offerId)}: <code>${v.errorClass}</code>, <${When} at=${v.at} />. ${v.remediation}
                  </li>`,
              )}
            </ul>`
      }
    </section>
  `;
}

// ---------------------------------------------------------------- dead letters

function DeadLetterTable({ rows, label }) {
  return html`<${Table} label=${label} head=${['Failed', 'Lead', 'Offer', 'Stage', 'Class', 'Message', 'Replayed']}>
    ${rows.map(
      (d) =>
        html`<tr data-testid="dead-letter-row">
          <td><${When} at=${d.failedAt} /></td>
          <td>${leadLink(d.leadId)}</td>
          <td>${offerLink(d.offerId)}</td>
          <td>${d.stage}</td>
          <td><code>${d.errorClass}</code></td>
          <td>${d.message}</td>
          <td>
            ${d.replayed ? html`by ${d.replayed.by}, <${When} at=${d.replayed.at} />` : html`<span class="muted">no</span>`}
          </td>
        </tr>`,
    )}
  <//>`;
}

function DeadLetters({ params, version }) {
  const { data, error } = useData(`/api/dead-letters${query({ ...params, limit: 100 })}`, version);
  const what = [params.stage, params.class, params.offer].filter(Boolean).join(', ') || 'all';
  return html`
    <p><a href=${`#/replay${query(params)}`}>Replay these…</a></p>
    ${
      error
        ? html`<${Failure} error=${error} />`
        : !data
          ? html`<${Loading} />`
          : html` <p>
                ${n(data.total)} dead letter(s) match (${what}); the newest ${n(data.deadLetters.length)} are listed.
              </p>
              ${data.deadLetters[0] && html`<div class="notice"><strong>Remediation:</strong> ${data.deadLetters[0].remediation}</div>`}
              <${DeadLetterTable} rows=${data.deadLetters} label="Dead letters" />`
    }
  `;
}

// ---------------------------------------------------------------- offer

function Offer({ offerId, version }) {
  const { data, error } = useData(`/api/offers/${encodeURIComponent(offerId)}`, version);
  if (error) return html`<${Failure} error=${error} />`;
  if (!data) return html`<${Loading} />`;
  const d = data.destination;
  return html`
    <section aria-labelledby="dest">
      <h2 id="dest">Destination</h2>
      ${
        d
          ? html`<dl class="facts">
                <dt>Type</dt>
                <dd>${d.type}</dd>
                <dt>Version</dt>
                <dd>${d.version}, saved <${When} at=${d.updatedAt} /></dd>
                <dt>Auto-replay</dt>
                <dd>${d.autoReplay ? 'on: a passing validation replays its dead letters' : 'off'}</dd>
                ${Object.entries(d.settings).map(
                  ([k, v]) =>
                    html`<dt>${k}</dt>
                      <dd><code>${typeof v === 'string' ? v : JSON.stringify(v)}</code></dd>`,
                )}
              </dl>
              <p class="muted">Secrets are masked; the console never receives them.</p>`
          : html`<p class="bad">No destination: its leads dead-letter as ROUTER.OFFER_NOT_CONFIGURED.</p>`
      }
      <h2>Validation</h2>
      ${
        data.validation
          ? html`<p class=${data.validation.status === 'passed' ? 'good' : 'bad'}>
              Validation lead ${data.validation.status} <${When} at=${data.validation.at} />
              ${data.validation.errorClass ? html`: <code>${data.validation.errorClass}</code>. ${data.validation.remediation}` : ''}
            </p>`
          : html`<p class="muted">No validation lead seen.</p>`
      }
    </section>
    <${QuotaWaits} waits=${data.quotaWaits} />
    <div class="cards">
      <div class="card">
        <div class="n">${n(data.delivered)}</div>
        <div class="label">delivered</div>
      </div>
      <div class="card">
        <div class="n">${n(data.deadLetters)}</div>
        <div class="label">dead letters</div>
      </div>
    </div>
    <p>
      <a href=${`#/dead-letters${query({ offer: offerId })}`}>All dead letters of this offer</a> ·
      <a href=${`#/replay${query({ offer: offerId })}`}>Replay…</a>
    </p>
    <h2>Recent dead letters</h2>
    ${data.recentDeadLetters.length ? html`<${DeadLetterTable} rows=${data.recentDeadLetters} label="Recent dead letters" />` : html`<p>None.</p>`}
    <h2>Recent deliveries</h2>
    ${
      data.recentDeliveries.length
        ? html`<${Table}
            label="Recent deliveries"
            head=${['Delivered', 'Lead', 'To', 'CRM record', { label: 'Attempts', num: true }]}
          >
            ${data.recentDeliveries.map(
              (r) =>
                html`<tr>
                  <td><${When} at=${r.at} /></td>
                  <td>${leadLink(r.leadId)}</td>
                  <td>${r.destination}</td>
                  <td>${r.externalId ?? html`<span class="muted">—</span>`}</td>
                  <td class="num">${r.attempts}</td>
                </tr>`,
            )}
          <//>`
        : html`<p>None.</p>`
    }
    <h2>Version history</h2>
    <${Table} label="Version history" head=${['Version', 'Saved', 'Type']}>
      ${data.versions.map(
        (v) =>
          html`<tr>
            <td>${v.version}</td>
            <td><${When} at=${v.updatedAt} /></td>
            <td>${v.type ?? 'removed'}</td>
          </tr>`,
      )}
    <//>
    <h2>Auto-replays</h2>
    ${
      data.autoReplays.length
        ? html`<ul>
            ${data.autoReplays.map((e) => html`<li>${leadLink(e.leadId)} by ${e.by}, <${When} at=${e.replayedAt} /></li>`)}
          </ul>`
        : html`<p>None.</p>`
    }
  `;
}

/** Leads the sinks hold for a destination's quota: sent by themselves when it resets, nothing to replay. */
function QuotaWaits({ waits }) {
  if (!waits?.length) return null;
  return html`<h2 id="quota-waits">Held for a quota</h2>
    <p>These leads are not lost: the sink sends them when the destination's quota resets.</p>
    <${Table} label="Held for a quota" head=${['To', { label: 'Leads', num: true }, 'Sent by', 'Why']}>
      ${waits.map(
        (w) =>
          html`<tr data-testid=${`quota-wait-${w.destination}`}>
            <td>${w.destination}</td>
            <td class="num">${n(w.leads)}</td>
            <td><time datetime=${w.until} title=${w.until}>${ahead(w.until)}</time></td>
            <td><code>${w.errorClass}</code></td>
          </tr>`,
      )}
    <//>`;
}

// ---------------------------------------------------------------- lead

function LeadSearch() {
  const [error, setError] = useState('');
  const [found, setFound] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setError('');
    const value = String(new FormData(e.currentTarget).get('q')).trim();
    if (!value.includes('@')) {
      location.hash = `#/leads/${encodeURIComponent(value)}`;
      return;
    }
    try {
      const r = await api('/api/lead-searches', { method: 'POST', body: { email: value } });
      if (r.leadIds.length === 1) location.hash = `#/leads/${encodeURIComponent(r.leadIds[0])}`;
      else setFound(r.leadIds);
    } catch (err) {
      setError(err.message);
    }
  };
  return html`<form class="inline" role="search" onSubmit=${submit}>
      <label>Lead id or e-mail <input name="q" type="search" required size="40" /></label>
      <button type="submit">Find lead</button>
    </form>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${
      found &&
      html`<p role="status">${found.length === 0 ? 'No lead with that e-mail.' : `${found.length} leads:`}</p>
        <ul>
          ${found.map((id) => html`<li>${leadLink(id)}</li>`)}
        </ul>`
    }`;
}

function Lead({ leadId, version }) {
  const { data, error } = useData(leadId ? `/api/leads/${encodeURIComponent(leadId)}` : null, version);
  const [revealed, setRevealed] = useState(null);
  const [revealError, setRevealError] = useState('');
  const reveal = async () => {
    setRevealError('');
    try {
      setRevealed(await api(`/api/leads/${encodeURIComponent(leadId)}/reveal`, { method: 'POST' }));
    } catch (err) {
      setRevealError(err.message);
    }
  };
  if (!leadId) return html`<${LeadSearch} />`;
  if (error) return html`<${LeadSearch} /><${Failure} error=${error} />`;
  if (!data) return html`<${Loading} />`;
  return html`
    <${LeadSearch} />
    <dl class="facts">
      <dt>State</dt>
      <dd
        data-testid="lead-state"
        class=${data.state === 'delivered' ? 'good' : data.state === 'dead-lettered' ? 'bad' : ''}
      >
        ${data.state}
      </dd>
      <dt>Offer</dt>
      <dd>${offerLink(data.offerId)}</dd>
      ${
        data.traceUrl &&
        html`<dt>Trace</dt>
          <dd><a href=${data.traceUrl} rel="noreferrer">Open the trace</a></dd>`
      }
    </dl>
    <h2>History</h2>
    <ol class="history" aria-label="Lead history">
      ${data.steps.map(
        (s) =>
          html`<li class=${s.kind} data-testid="history-step" data-kind=${s.kind}>
            <div>
              <strong>${s.title}</strong> <span class="when"><${When} at=${s.at} /></span>
            </div>
            <div>${s.detail}</div>
            ${s.deadLetter && html`<div class="remediation"><strong>Remediation:</strong> ${s.deadLetter.remediation}</div>`}
            ${s.traceUrl && html`<div><a href=${s.traceUrl} rel="noreferrer">Trace</a></div>`}
          </li>`,
      )}
    </ol>
    <h2>Customer data</h2>
    <p class="muted">Names, e-mail and phone are masked. Revealing them is recorded with your name.</p>
    ${
      revealed
        ? html`<p role="status">Revealed to ${revealed.revealedBy}.</p>
            ${revealed.leads.map((l) => html`<pre>${JSON.stringify(l.lead, null, 2)}</pre>`)}`
        : html`<button class="secondary" onClick=${reveal}>Reveal customer data</button>`
    }
    ${revealError && html`<p class="error" role="alert">${revealError}</p>`}
  `;
}

// ---------------------------------------------------------------- replay

const FIELDS = [
  ['stage', 'Stage', 'router, https, …'],
  ['class', 'Error class', 'HTTPS.ENDPOINT_REJECTED or HTTPS.*'],
  ['offer', 'Offer', 'publisher.offer'],
  ['since', 'Failed since', '2h, 7d or a time'],
  ['until', 'Failed before', 'a time or an age'],
];

function Replay({ params }) {
  const [filter, setFilter] = useState(() => Object.fromEntries(FIELDS.map(([k]) => [k, params[k] ?? ''])));
  const [preview, setPreview] = useState(null);
  const [errors, setErrors] = useState({});
  const [job, setJob] = useState(null);
  const [progress, setProgress] = useState(null);
  const [result, setResult] = useState(null);
  const confirmRef = useRef(null);
  const body = () => ({ filter: Object.fromEntries(Object.entries(filter).filter(([, v]) => v.trim() !== '')) });
  const fail = (err) => {
    const byField = {};
    for (const e of err.problem?.errors ?? []) byField[e.path.replace(/^filter\.?/, '') || 'form'] = e.message;
    setErrors(Object.keys(byField).length ? byField : { form: err.message });
  };
  const dryRun = async (e) => {
    e.preventDefault();
    setErrors({});
    setResult(null);
    try {
      setPreview(await api('/api/replay-dry-runs', { method: 'POST', body: body() }));
    } catch (err) {
      fail(err);
    }
  };
  // Layout effect, not effect: focus moves in the same task that shows the count, so an Enter pressed right after
  // the dry run confirms it instead of landing on "Dry run" again.
  useLayoutEffect(() => {
    if (preview && preview.wouldReplay > 0) confirmRef.current?.focus();
  }, [preview]);
  const start = async () => {
    try {
      const j = await api('/api/replays', { method: 'POST', body: { ...body(), confirm: true } });
      setJob(j);
      setProgress({ done: 0, total: preview.wouldReplay, phase: 'reading' });
      stream(`/api/replays/${j.id}/events`, (event, data) => {
        if (event === 'phase') setProgress((p) => ({ ...p, phase: data.phase }));
        if (event === 'progress') setProgress((p) => ({ ...p, done: data.done, total: data.total }));
        if (event === 'done' || event === 'error') {
          setResult(data);
          setPreview(null);
        }
      });
    } catch (err) {
      fail(err);
    }
  };
  const set = (k) => (e) => {
    setFilter({ ...filter, [k]: e.currentTarget.value });
    setPreview(null);
  };
  const running = job && !result;
  return html`
    <form class="inline" onSubmit=${dryRun} aria-describedby="replay-help">
      ${FIELDS.map(
        ([k, label, hint]) =>
          html`<label>
            ${label}
            <input
              name=${k}
              value=${filter[k]}
              onInput=${set(k)}
              placeholder=${hint}
              aria-invalid=${errors[k] ? 'true' : 'false'}
              aria-describedby=${errors[k] ? `err-${k}` : undefined}
            />
            ${errors[k] && html`<span class="error" id=${`err-${k}`}>${errors[k]}</span>`}
          </label>`,
      )}
      <button type="submit" disabled=${running}>Dry run</button>
    </form>
    <p id="replay-help" class="muted">
      A dry run counts what would be replayed; nothing changes until you confirm. Dead letters already replayed (by
      anyone, leadctl included) are never replayed again.
    </p>
    ${errors.form && html`<p class="error" role="alert">${errors.form}</p>`}
    ${
      preview &&
      html`<section aria-labelledby="preview-h" class="notice">
        <h2 id="preview-h">Dry run</h2>
        <p data-testid="dry-run-count" role="status">
          ${n(preview.wouldReplay)} dead letter(s) would be replayed; ${n(preview.alreadyReplayed)} of
          ${n(preview.matched)} matched were already replayed.
        </p>
        ${preview.wouldReplay > 0 && html`<button ref=${confirmRef} onClick=${start}>Replay ${n(preview.wouldReplay)} lead(s)</button>`}
      </section>`
    }
    ${
      progress &&
      html`<section aria-labelledby="progress-h">
        <h2 id="progress-h">Progress</h2>
        <progress max=${progress.total || 1} value=${progress.done} aria-label="Replay progress"></progress>
        <p role="status" data-testid="replay-progress">
          ${progress.phase === 'reading' && !result ? 'Reading the dead-letter topics… ' : ''}${n(progress.done)} of
          ${n(progress.total)} replayed
        </p>
      </section>`
    }
    ${
      result &&
      html`<section aria-labelledby="result-h">
        <h2 id="result-h">Result</h2>
        ${
          result.message
            ? html`<p class="error" role="alert">${result.message}</p>`
            : html`<p data-testid="replay-result" role="status" class="good">
                Replayed ${n(result.replayed)} lead(s) in ${n(result.elapsedMs)} ms; ${n(result.alreadyReplayed)} of
                ${n(result.matched)} matched were already replayed. They re-enter the pipeline now; watch them on the
                <a href="#/">overview</a>.
              </p>`
        }
      </section>`
    }
  `;
}

// ---------------------------------------------------------------- shell

const TITLES = {
  '/': 'Overview',
  '/dead-letters': 'Dead letters',
  '/replay': 'Replay dead letters',
  '/leads': 'Find a lead',
};

function App() {
  const route = useRoute();
  const [who, setWho] = useState(null);
  const [checked, setChecked] = useState(false);
  useEffect(() => {
    if (!session.token) return setChecked(true);
    api('/api/session').then(
      (s) => (setWho(s.name), setChecked(true)),
      () => setChecked(true),
    );
  }, []);
  const live = useLive(Boolean(who));
  const signOut = useCallback(() => {
    session.clear();
    setWho(null);
  }, []);
  if (!checked) return html`<${Loading} />`;
  if (!who) return html`<${Login} onDone=${setWho} />`;
  const { path, params } = route;
  const segs = path.split('/').filter(Boolean).map(decodeURIComponent);
  let title = TITLES[path] ?? '';
  let page;
  if (segs[0] === 'offers' && segs[1]) {
    title = `Offer ${segs[1]}`;
    page = html`<${Offer} offerId=${segs[1]} version=${live.version} key=${segs[1]} />`;
  } else if (segs[0] === 'leads') {
    title = segs[1] ? `Lead ${segs[1]}` : 'Find a lead';
    page = html`<${Lead} leadId=${segs[1]} version=${live.version} key=${segs[1] ?? ''} />`;
  } else if (segs[0] === 'dead-letters') page = html`<${DeadLetters} params=${params} version=${live.version} />`;
  else if (segs[0] === 'replay') page = html`<${Replay} params=${params} key=${JSON.stringify(params)} />`;
  else {
    title = 'Overview';
    page = html`<${Overview} version=${live.version} />`;
  }
  useEffect(() => {
    document.title = `${title} · leadflow console`;
  }, [title]);
  return html`
    <a class="skip" href="#main" onClick=${(e) => (e.preventDefault(), document.querySelector('main h1')?.focus())}
      >Skip to content</a
    >
    <header class="top">
      <span class="brand">leadflow console</span>
      <nav aria-label="Main">
        <ul>
          <li><a href="#/" aria-current=${path === '/' ? 'page' : undefined}>Overview</a></li>
          <li><a href="#/leads" aria-current=${segs[0] === 'leads' ? 'page' : undefined}>Leads</a></li>
          <li><a href="#/replay" aria-current=${segs[0] === 'replay' ? 'page' : undefined}>Replay</a></li>
        </ul>
      </nav>
      <span class="who">Signed in as ${who} · <button class="secondary" onClick=${signOut}>Sign out</button></span>
    </header>
    <main id="main">
      <${Heading} key=${path}>${title}<//>
      <p class="muted" role="status" aria-live="polite" data-testid="live">
        ${live.message ? `Live: ${live.message}` : ''}
      </p>
      ${page}
    </main>
  `;
}

render(html`<${App} />`, document.getElementById('app'));
