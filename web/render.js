// A small render layer: elements built with createElement and textContent
// only (never innerHTML with data), timeline lines keyed by REF so a live
// update replaces a line in place.

/**
 * @typedef {import('./api.js').Entry} Entry
 * @typedef {import('./api.js').Reaction} Reaction
 */

/**
 * Makes an element with attributes and children (strings become text nodes).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string>=} attributes
 * @param {(Node|string|null|undefined)[]=} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attributes, children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) element.setAttribute(name, value);
  for (const child of children || []) {
    if (child === null || child === undefined) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

/**
 * The element with this id.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`no #${id}`);
  return element;
}

/**
 * Appends text the engine escaped (TimelineLine.escape): `\\`, `\n` and `\t`
 * become the characters again; every other escape (`\r`, `\u{…}` for controls,
 * bidi overrides, invisible characters) stays visible, marked. http(s) URLs
 * become links; nothing else does.
 * @param {HTMLElement} parent
 * @param {string} text
 */
export function appendEngineText(parent, text) {
  const pattern = /\\(\\|n|t|r|u\{[0-9a-f]+\})/g;
  let plain = '';
  let last = 0;
  /** @type {RegExpExecArray|null} */
  let match;
  const flush = () => {
    if (plain) appendLinked(parent, plain);
    plain = '';
  };
  while ((match = pattern.exec(text)) !== null) {
    plain += text.slice(last, match.index);
    last = pattern.lastIndex;
    const code = match[1];
    if (code === '\\') plain += '\\';
    else if (code === 'n') plain += '\n';
    else if (code === 't') plain += '\t';
    else {
      flush();
      parent.append(h('span', { class: 'esc', title: 'hidden or control character, shown escaped' }, [match[0]]));
    }
  }
  plain += text.slice(last);
  flush();
}

/**
 * Text with http(s) URLs as links (built as elements; the href is checked).
 * @param {HTMLElement} parent
 * @param {string} text
 */
function appendLinked(parent, text) {
  const url = /\bhttps?:\/\/[^\s<>"']+/g;
  let last = 0;
  /** @type {RegExpExecArray|null} */
  let match;
  while ((match = url.exec(text)) !== null) {
    parent.append(document.createTextNode(text.slice(last, match.index)));
    const link = h('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }, [match[0]]);
    try {
      const parsed = new URL(match[0]);
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') link.href = parsed.href;
    } catch (_) {
      // Not a URL after all: it stays text.
    }
    parent.append(link.href ? link : document.createTextNode(match[0]));
    last = url.lastIndex;
  }
  parent.append(document.createTextNode(text.slice(last)));
}

/** Kinds whose effect shows on the line they point at (not a line of their own). */
const folded = new Set(['react', 'edit', 'redact']);

/**
 * Whether an entry gets a line of its own in the timeline.
 * @param {Entry} entry
 */
export function shown(entry) {
  return !folded.has(entry.kind);
}

/** @param {number} bytes */
export function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** @param {number} ms */
function clock(ms) {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/**
 * @typedef {object} LineActions
 * @property {(entry: Entry, reaction: string, mine: boolean) => void} react
 * @property {(entry: Entry) => void} reply
 * @property {(entry: Entry) => void} edit
 * @property {(entry: Entry) => void} redact
 * @property {(entry: Entry) => void} thread
 * @property {(entry: Entry) => string} fileURL
 */

const quickReactions = ['👍', '❤️', '😂', '🎉', '😮', '👀'];

/**
 * One timeline line.
 * @param {Entry} entry
 * @param {LineActions} actions
 * @returns {HTMLLIElement}
 */
export function line(entry, actions) {
  const classes = ['event', `kind-${entry.kind}`];
  if (entry.pending) classes.push('pending');
  if (entry.redacted) classes.push('redacted');
  if (entry.mine) classes.push('mine');
  if (entry.late) classes.push('late');
  const li = h('li', { 'data-testid': 'event', 'data-ref': entry.ref, class: classes.join(' ') });
  const sender = h('span', { class: 'sender', title: entry.sender });
  appendEngineText(sender, entry.name || entry.sender);
  const time = h('time', { datetime: entry.time, title: entry.time }, [clock(entry.ts)]);
  const meta = h('div', { class: 'meta' }, [sender, ' ', time, ' ', h('span', { class: 'ref' }, [entry.ref])]);
  if (entry.pending) meta.append(' ', h('span', { class: 'status' }, ['sending…']));
  if (entry.flags.includes('+late')) meta.append(' ', h('span', { class: 'flag', title: 'uploaded late: it belongs earlier in the timeline' }, ['late']));
  if (entry.flags.includes('+gap') || entry.flags.includes('+fork')) meta.append(' ', h('span', { class: 'flag warn' }, [entry.flags.includes('+fork') ? 'fork' : 'gap']));
  li.append(meta);

  const isMessage = ['msg', 'emote', 'notice', 'file', 'reply'].includes(entry.kind);
  if (!isMessage) {
    // Membership, name and topic changes: one muted line.
    const body = h('div', { class: 'body notice-line' });
    const label = { join: 'joined', leave: 'left', invite: '', kick: '', ban: '', name: 'named the room: ', topic: 'set the topic: ', key: '' }[entry.kind];
    if (label) body.append(label);
    if (entry.kind !== 'join' && entry.kind !== 'leave') appendEngineText(body, entry.text);
    li.append(body);
    return li;
  }
  if (entry.parent) {
    const link = h('button', { type: 'button', class: 'reply-to link', title: 'open the thread' }, [`↪ ${entry.parent}`]);
    link.addEventListener('click', () => actions.thread({ ...entry, ref: entry.parent || entry.ref }));
    li.append(link);
  }
  const body = h('div', { class: 'body' });
  if (entry.redacted) {
    body.append(h('span', { class: 'removed' }, ['message removed']));
  } else if (entry.file) {
    const link = h('a', { class: 'file-link', download: '', rel: 'noopener' });
    link.href = actions.fileURL(entry);
    appendEngineText(link, entry.file.name);
    body.append('📄 ', link, ` ${size(entry.file.size)}`);
    if (entry.caption && entry.caption !== entry.file.name) {
      const caption = h('div', { class: 'caption' });
      appendEngineText(caption, entry.caption);
      body.append(caption);
    }
  } else {
    if (entry.kind === 'emote') body.append(h('span', { class: 'emote-sender' }, [`* ${entry.name || entry.sender} `]));
    appendEngineText(body, entry.edited !== undefined ? entry.edited : entry.text);
    if (entry.edited !== undefined) body.append(' ', h('span', { class: 'edited', title: 'edited' }, ['(edited)']));
  }
  li.append(body);

  if (!entry.redacted) {
    const chips = h('div', { class: 'reactions' });
    for (const reaction of entry.reactions || []) {
      const chip = h('button', {
        type: 'button', class: 'chip', 'data-testid': 'reaction', 'data-reaction': reaction.raw,
        'aria-pressed': String(reaction.mine), title: reaction.senders.join(', '),
      });
      appendEngineText(chip, reaction.key);
      chip.append(h('span', { class: 'count' }, [String(reaction.count)]));
      chip.addEventListener('click', () => actions.react(entry, reaction.raw, reaction.mine));
      chips.append(chip);
    }
    li.append(chips);

    const tools = h('div', { class: 'tools' });
    const picker = h('span', { class: 'picker', hidden: '' });
    for (const emoji of quickReactions) {
      const b = h('button', { type: 'button', class: 'emoji', 'data-emoji': emoji, 'aria-label': `react ${emoji}` }, [emoji]);
      b.addEventListener('click', () => {
        picker.hidden = true;
        const existing = (entry.reactions || []).find((r) => r.raw === emoji);
        actions.react(entry, emoji, existing ? existing.mine : false);
      });
      picker.append(b);
    }
    /**
     * @param {string} label
     * @param {string} name
     * @param {() => void} run
     */
    const tool = (label, name, run) => {
      const b = h('button', { type: 'button', class: 'tool link', 'data-action': name }, [label]);
      b.addEventListener('click', run);
      tools.append(b);
      return b;
    };
    tool('react', 'react', () => { picker.hidden = !picker.hidden; });
    tools.append(picker);
    tool('reply', 'reply', () => actions.reply(entry));
    const replies = entry.replies || 0;
    if (replies > 0) tool(`thread (${replies})`, 'thread', () => actions.thread(entry));
    if (entry.mine && !entry.file && !entry.pending) tool('edit', 'edit', () => actions.edit(entry));
    if (entry.mine && !entry.pending) {
      const remove = tool('delete', 'redact', () => {
        if (remove.dataset.confirm) {
          actions.redact(entry);
        } else {
          remove.dataset.confirm = '1';
          remove.textContent = 'delete?';
          setTimeout(() => { delete remove.dataset.confirm; remove.textContent = 'delete'; }, 4000);
        }
      });
    }
    li.append(tools);
  }
  return li;
}

/**
 * A list of lines keyed by REF: `upsert` replaces a line in place or adds
 * it at the end; `prepend` adds older ones at the start.
 */
export class KeyedList {
  /**
   * @param {HTMLElement} list
   * @param {(entry: Entry) => HTMLElement} make
   */
  constructor(list, make) {
    this.list = list;
    this.make = make;
    /** @type {Map<string, HTMLElement>} */
    this.lines = new Map();
  }

  clear() {
    this.lines.clear();
    this.list.replaceChildren();
  }

  /** @param {Entry} entry */
  upsert(entry) {
    if (!shown(entry)) return;
    const element = this.make(entry);
    const old = this.lines.get(entry.ref);
    if (old) old.replaceWith(element);
    else this.list.append(element);
    this.lines.set(entry.ref, element);
  }

  /** @param {Entry[]} entries oldest first */
  prepend(entries) {
    const fragment = document.createDocumentFragment();
    for (const entry of entries) {
      if (!shown(entry) || this.lines.has(entry.ref)) continue;
      const element = this.make(entry);
      this.lines.set(entry.ref, element);
      fragment.append(element);
    }
    this.list.prepend(fragment);
  }

  /** @param {string} ref */
  has(ref) {
    return this.lines.has(ref);
  }
}
