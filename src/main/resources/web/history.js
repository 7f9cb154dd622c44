// Call history kept in the browser (localStorage), newest first, bounded.
const KEY = 'srproxy.history';
const KEPT = 50;

export function loadHistory() {
  try {
    const list = JSON.parse(localStorage.getItem(KEY) || '[]');
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

/** entry: { peer, direction: 'out'|'in', video, startedAt, seconds, outcome } */
export function addToHistory(entry) {
  const list = [entry, ...loadHistory()].slice(0, KEPT);
  localStorage.setItem(KEY, JSON.stringify(list));
  return list;
}

export function clearHistory() {
  localStorage.removeItem(KEY);
}
