// The admin page: everything read from /api, refreshed every two seconds.
import { drawHistory } from '/charts.js';

const $ = (id) => document.getElementById(id);

async function json(path) {
  try {
    const r = await fetch(path, { cache: 'no-store' });
    return r.ok ? await r.json() : null;
  } catch {
    return null;
  }
}

function table(rows, columns) {
  if (!rows) return Object.assign(document.createElement('p'), { textContent: 'not available' });
  if (rows.length === 0) return Object.assign(document.createElement('p'), { textContent: 'none' });
  const t = document.createElement('table');
  const head = t.createTHead().insertRow();
  for (const [title] of columns) head.append(Object.assign(document.createElement('th'), { textContent: title, scope: 'col' }));
  const body = t.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const [, value] of columns) tr.insertCell().textContent = value(row) ?? '';
  }
  return t;
}

const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');
const seconds = (from, to) => (from ? `${Math.round(((to ? new Date(to) : new Date()) - new Date(from)) / 1000)} s` : '');

const CALL_COLUMNS = [
  ['Direction', (c) => c.direction], ['App uid', (c) => c.uid], ['SIP number', (c) => c.sipNumber],
  ['Channel', (c) => c.channelId], ['Started', (c) => time(c.startedAt)], ['Answered', (c) => time(c.answeredAt)],
  ['Talk time', (c) => seconds(c.answeredAt, c.endedAt)], ['Codecs', (c) => [c.codecs?.app, c.codecs?.sip].filter(Boolean).join(' / ')],
  ['End', (c) => c.endReason],
];

async function refresh() {
  const [stats, calls, registrations, accounts, cluster, history] = await Promise.all([
    json('/api/stats'), json('/api/calls'), json('/api/registrations'), json('/api/accounts'), json('/api/cluster'),
    json('/api/history'),
  ]);
  drawHistory($('history'), history);
  $('cluster-section').hidden = !cluster?.enabled;
  if (cluster?.enabled) {
    $('cluster').replaceChildren(table(cluster.nodes, [
      ['Node', (n) => (n.id === cluster.node ? `${n.id} (this one)` : n.id)], ['Address', (n) => n.advertise],
      ['Users', (n) => n.users], ['RTC channels', (n) => n.channels], ['Calls', (n) => n.calls],
      ['Up since', (n) => (n.startedAt ? new Date(n.startedAt).toLocaleString() : '')],
    ]), table(cluster.channels || [], [['RTC channel', (c) => c.channel], ['Lives on node', (c) => c.node]]));
  }
  const counters = $('counters');
  counters.replaceChildren();
  for (const [label, value] of Object.entries(stats || {})) {
    if (typeof value === 'object') continue;
    const box = document.createElement('div');
    box.append(Object.assign(document.createElement('strong'), { textContent: value }), label);
    counters.append(box);
  }
  $('registrations').replaceChildren(table(registrations, [
    ['Account', (r) => r.account], ['State', (r) => r.state], ['Server', (r) => r.server], ['Expires', (r) => time(r.expiresAt)],
    ['Last error', (r) => r.lastError],
  ]));
  $('accounts').replaceChildren(table(accounts, [['uid', (a) => a.uid], ['Role', (a) => a.role], ['State', (a) => a.state]]));
  $('active').replaceChildren(table(calls?.active, CALL_COLUMNS));
  $('recent').replaceChildren(table(calls?.recent, CALL_COLUMNS));
  $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
}

refresh();
setInterval(refresh, 2000);
