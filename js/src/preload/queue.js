// The one queue policy. Every message the preload can't hand over at once waits in this queue, in
// order, whatever it waits for: a bridge the host promised, a busy bridge, the previous POST.
// It drops by value, not by age. A distinct error (exception type, value, top in-app frame) is
// sent at most LIMITS.repeats times a page; later repeats are dropped before they are queued. Over its
// bounds the queue drops, oldest first within each kind: repeats of an error, then scope updates
// (each carries the whole scope, so only its breadcrumbs are lost), then other envelopes
// (transactions, replays, errors past the LIMITS.keys distinct errors remembered), and the first
// occurrence of a distinct error only when nothing else is left, newest first. The start message
// and the latest drop report are never dropped. `onDrop(channel, overflow)` hears of each drop.
// A scope update queued right behind another one is merged into it (the later state, both messages'
// breadcrumbs and attachments): a page in an error loop sends one scope message per captured error
// (its `sentry.event` breadcrumb) even when the error itself is dropped as a repeat, and while the
// way out is busy those would otherwise be thousands of messages carrying one breadcrumb each.
import { channels } from "../wire.js";

const { start: START, envelope: ENVELOPE } = channels;

// count: messages queued; bytes: their string lengths (byteLength for binary); repeats: sends of one
// error per page; keys: distinct errors remembered per page.
export const LIMITS = { count: 2000, bytes: 8 << 20, repeats: 10, keys: 1000, breadcrumbs: 100 };

// Ranks: what goes first when the queue is over its bounds.
const REPEAT = 0;
const UPDATE = 1;
const OTHER = 2;
const FIRST = 3;
const KEPT = 4;

// The distinct-error key of an envelope whose first item is an event, else null. Reads the first
// item's header and payload lines only; never throws.
export function errorKey(payload) {
  try {
    let text = payload;
    if (typeof text !== "string") {
      // Binary (attachments): decode up to the end of the first item's payload line.
      let end = 0;
      for (let lines = 0; end < payload.length && lines < 3; end++) if (payload[end] === 10) lines++;
      text = new TextDecoder().decode(payload.subarray(0, end));
    }
    const header = text.indexOf("\n") + 1;
    const item = text.indexOf("\n", header) + 1;
    if (!header || !item || JSON.parse(text.slice(header, item)).type !== "event") return null;
    const end = text.indexOf("\n", item);
    return eventKey(JSON.parse(end < 0 ? text.slice(item) : text.slice(item, end)));
  } catch (e) {
    return null;
  }
}

// The distinct-error key of an event: its exception's type, value and top in-app frame (else its
// message), or null. Never throws.
export function eventKey(event) {
  try {
    const values = (event.exception && event.exception.values) || [];
    const error = values[values.length - 1];
    if (!error) return event.message ? JSON.stringify([event.message]).slice(0, 500) : null;
    const frames = (error.stacktrace && error.stacktrace.frames) || [];
    let top = {};
    for (let i = frames.length - 1; i >= 0; i--) {
      if (frames[i].in_app !== false) {
        top = frames[i];
        break;
      }
    }
    return JSON.stringify([error.type, error.value, top.filename, top.function, top.lineno]).slice(0, 500);
  } catch (e) {
    return null;
  }
}

// The page's budget of sends per distinct error: `spend(key)` is false once `key` had LIMITS.repeats
// (keys past LIMITS.keys are not remembered, so always pass).
export function createBudget(limits = LIMITS) {
  const sends = new Map();
  return function spend(key) {
    const count = sends.get(key) || 0;
    if (count >= limits.repeats) return false;
    if (count || sends.size < limits.keys) sends.set(key, count + 1);
    return true;
  };
}

// One scope message from two queued ones (JSON text), or null when either isn't a plain object.
export function mergeScope(earlier, later, maxBreadcrumbs = LIMITS.breadcrumbs) {
  try {
    const a = JSON.parse(earlier);
    const b = JSON.parse(later);
    if (!a || !b || typeof a !== "object" || typeof b !== "object" || Array.isArray(a) || Array.isArray(b)) return null;
    const list = (m, key) => (Array.isArray(m[key]) ? m[key] : []);
    const merged = Object.assign({}, a, b);
    merged.breadcrumbs = list(a, "breadcrumbs").concat(list(b, "breadcrumbs")).slice(-maxBreadcrumbs);
    merged.attachments = list(a, "attachments").concat(list(b, "attachments"));
    return JSON.stringify(merged);
  } catch (e) {
    return null;
  }
}

export function createQueue(onDrop, limits = LIMITS) {
  const items = [];
  const ranked = [0, 0, 0, 0, 0]; // queued messages of each rank
  const seen = new Map(); // error key -> occurrences queued this page
  let bytes = 0;
  let report = null;

  function rank(channel, payload) {
    if (channel === START) return KEPT;
    if (channel !== ENVELOPE) return UPDATE; // scope (status heartbeats are never queued)
    const key = errorKey(payload);
    if (key === null) return OTHER;
    const count = seen.get(key);
    if (count === undefined) {
      if (seen.size >= limits.keys) return OTHER;
      seen.set(key, 1);
      return FIRST;
    }
    if (count >= limits.repeats) return -1;
    seen.set(key, count + 1);
    return REPEAT;
  }

  function remove(index, count) {
    const removed = items.splice(index, count);
    for (const item of removed) {
      bytes -= item.size;
      ranked[item.rank] -= 1;
      if (item === report) report = null;
    }
    return removed;
  }

  // The index of the message to drop, or -1.
  function victim() {
    const r = ranked.findIndex((n) => n > 0);
    if (r < 0 || r === KEPT) return -1;
    if (r === FIRST) {
      for (let i = items.length - 1; ; i--) if (items[i].rank === FIRST) return i;
    }
    return items.findIndex((item) => item.rank === r);
  }

  return {
    // Queue a message; `isReport` marks the drop report, which replaces the previous one.
    push(channel, payload, isReport) {
      const r = isReport ? KEPT : rank(channel, payload);
      if (r < 0) return onDrop(channel, false);
      if (isReport && report) remove(items.indexOf(report), 1);
      const tail = items[items.length - 1];
      if (r === UPDATE && tail && tail.rank === UPDATE && tail !== report && typeof payload === "string") {
        const merged = mergeScope(tail.payload, payload, limits.breadcrumbs);
        if (merged !== null) {
          bytes += merged.length - tail.size;
          tail.payload = merged;
          tail.size = merged.length;
          return;
        }
      }
      const item = { channel, payload, rank: r, size: typeof payload === "string" ? payload.length : payload.byteLength };
      if (isReport) report = item;
      items.push(item);
      bytes += item.size;
      ranked[r] += 1;
      while (items.length > 1 && (items.length > limits.count || bytes > limits.bytes)) {
        const index = victim();
        if (index < 0) break;
        onDrop(remove(index, 1)[0].channel, true);
      }
    },
    head: () => items[0],
    // The payloads of the first message and, with `batch`, of the ones after it on its channel.
    take(batch) {
      let run = 1;
      while (batch && run < items.length && items[run].channel === items[0].channel) run++;
      return remove(0, run).map((item) => item.payload);
    },
  };
}
