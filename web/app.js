// The bucketchat web client: room list, timeline, composer, members, thread
// pane and alerts, kept live by one WebSocket (/api/live). No framework, no
// build step: ES modules as served, typed with JSDoc and checked by tsc.
import * as api from './api.js';
import { KeyedList, appendEngineText, byId, h, line, shown } from './render.js';

/**
 * @typedef {import('./api.js').Entry} Entry
 * @typedef {import('./api.js').RoomSummary} RoomSummary
 * @typedef {import('./api.js').LiveMessage} LiveMessage
 * @typedef {import('./api.js').Alert} Alert
 */

const PAGE = 100;

const state = {
  /** @type {Map<string, RoomSummary>} */
  rooms: new Map(),
  /** @type {string|null} */
  current: null,
  /** @type {string|null} the REF to ask for older lines before */
  before: null,
  /** @type {{kind: 'reply'|'edit', ref: string}|null} */
  mode: null,
  /** @type {string|null} */
  thread: null,
  meAdmin: false,
  lastTyping: 0,
  /** @type {ReturnType<typeof setTimeout>|null} */
  readTimer: null,
  /** @type {ReturnType<typeof setTimeout>|null} */
  membersTimer: null,
  /** @type {ReturnType<typeof setTimeout>|null} */
  typingTimer: null,
};

const composer = /** @type {HTMLTextAreaElement} */ (byId('composer'));
const threadComposer = /** @type {HTMLTextAreaElement} */ (byId('thread-composer'));
const fileInput = /** @type {HTMLInputElement} */ (byId('file-input'));
const timelineWrap = byId('timeline-wrap');

/** @type {import('./render.js').LineActions} */
const actions = {
  react: (entry, reaction, mine) => run(() => api.act(needRoom(), { action: mine ? 'unreact' : 'react', ref: entry.ref, reaction })),
  reply: (entry) => setMode({ kind: 'reply', ref: entry.ref }),
  edit: (entry) => {
    setMode({ kind: 'edit', ref: entry.ref });
    composer.value = plainText(entry.edited !== undefined ? entry.edited : entry.text);
    composer.focus();
  },
  redact: (entry) => run(() => api.act(needRoom(), { action: 'redact', ref: entry.ref })),
  thread: (entry) => openThread(entry.ref),
  fileURL: (entry) => api.fileURL(needRoom(), entry.ref),
};

const timeline = new KeyedList(byId('timeline'), (entry) => line(entry, actions));
const threadList = new KeyedList(byId('thread'), (entry) => line(entry, actions));

/** @returns {string} */
function needRoom() {
  if (!state.current) throw new Error('no room open');
  return state.current;
}

/**
 * The engine's escaped text as plain text for editing (`\\`, `\n`, `\t` undone).
 * @param {string} text
 */
function plainText(text) {
  return text.replace(/\\(\\|n|t)/g, (_, c) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
}

/**
 * Runs an API call, showing its refusal (the engine's sentence) under the timeline.
 * @template T
 * @param {() => Promise<T>} call
 * @returns {Promise<T|undefined>}
 */
async function run(call) {
  const error = byId('error');
  try {
    const result = await call();
    error.hidden = true;
    return result;
  } catch (e) {
    error.textContent = e instanceof Error ? e.message : String(e);
    error.hidden = false;
    return undefined;
  }
}

// MARK: theme

function applyTheme() {
  const saved = localStorage.getItem('bucketchat-theme');
  if (saved === 'dark' || saved === 'light') document.documentElement.dataset.theme = saved;
  else delete document.documentElement.dataset.theme;
}

function currentTheme() {
  const set = document.documentElement.dataset.theme;
  if (set) return set;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

byId('theme-toggle').addEventListener('click', () => {
  localStorage.setItem('bucketchat-theme', currentTheme() === 'dark' ? 'light' : 'dark');
  applyTheme();
});

// MARK: rooms

function renderRooms() {
  const list = byId('room-list');
  const rooms = [...state.rooms.values()].sort((a, b) => (a.name || a.room_id).localeCompare(b.name || b.room_id));
  list.replaceChildren(...rooms.map((room) => {
    const name = h('span', { class: 'room-name' });
    appendEngineText(name, room.name || room.room_id);
    const item = h('li', {
      'data-testid': 'room', 'data-room-id': room.room_id,
      class: `room-item${room.room_id === state.current ? ' current' : ''}${room.membership === 'invite' ? ' invited' : ''}`,
    }, [name]);
    if (room.membership === 'invite') item.append(h('span', { class: 'badge invite' }, ['invited']));
    if (room.unread > 0) item.append(h('span', { class: 'badge', 'data-testid': 'unread', 'aria-label': `${room.unread} unread` }, [String(room.unread)]));
    if (!room.integrity_ok || room.alerts > 0) item.append(h('span', { class: 'badge warn', title: 'verification alerts' }, ['!']));
    item.tabIndex = 0;
    item.addEventListener('click', () => navigate(room.room_id));
    item.addEventListener('keydown', (event) => { if (event.key === 'Enter') navigate(room.room_id); });
    return item;
  }));
}

/** @param {RoomSummary} room */
function renderHead(room) {
  const name = byId('room-name');
  name.replaceChildren();
  appendEngineText(name, room.name || room.room_id);
  const topic = byId('room-topic');
  topic.replaceChildren();
  if (room.topic) appendEngineText(topic, room.topic);
  byId('join-room').hidden = room.membership !== 'invite';
  const typing = byId('typing');
  typing.textContent = room.typing.length ? `${room.typing.join(', ')} ${room.typing.length === 1 ? 'is' : 'are'} typing…` : '';
  // A typing notice lasts 15 s unless a newer one comes.
  if (state.typingTimer) clearTimeout(state.typingTimer);
  if (room.typing.length) state.typingTimer = setTimeout(() => { typing.textContent = ''; }, 15000);
  document.title = `${room.name || room.room_id} · bucketchat`;
}

/** @param {string} roomID */
function navigate(roomID) {
  if (state.current === roomID) return;
  history.pushState(null, '', `/rooms/${encodeURIComponent(roomID)}`);
  document.body.classList.remove('sidebar-open');
  openRoom(roomID);
}

function roomFromPath() {
  const match = /^\/rooms\/([^/]+)$/.exec(location.pathname);
  return match ? decodeURIComponent(match[1]) : null;
}

/** @param {string|null} roomID */
async function openRoom(roomID) {
  state.current = roomID;
  setMode(null);
  closeThread();
  timeline.clear();
  byId('alerts-list').replaceChildren();
  byId('alerts').hidden = true;
  byId('error').hidden = true;
  byId('room').hidden = !roomID;
  byId('empty').hidden = !!roomID;
  renderRooms();
  if (!roomID) {
    // On a phone, no room open: the room list is what there is to see.
    document.body.classList.add('sidebar-open');
    return;
  }
  const summary = state.rooms.get(roomID);
  if (summary) renderHead(summary);
  await loadTimeline(roomID);
  const alerts = await run(() => api.alerts(roomID));
  if (alerts && state.current === roomID) showAlerts(alerts.alerts);
  refreshMembers();
}

/** @param {string} roomID */
async function loadTimeline(roomID) {
  const page = await run(() => api.timeline(roomID, null, PAGE));
  if (!page || state.current !== roomID) return;
  timeline.clear();
  for (const entry of page.events) timeline.upsert(entry);
  state.before = page.before;
  byId('load-older').hidden = !page.more;
  timelineWrap.scrollTop = timelineWrap.scrollHeight;
  markRead();
}

byId('load-older').addEventListener('click', async () => {
  const roomID = state.current;
  if (!roomID || !state.before) return;
  const page = await run(() => api.timeline(roomID, state.before, PAGE));
  if (!page || state.current !== roomID) return;
  const height = timelineWrap.scrollHeight;
  timeline.prepend(page.events);
  timelineWrap.scrollTop += timelineWrap.scrollHeight - height;
  state.before = page.before;
  byId('load-older').hidden = !page.more;
});

/** @param {Alert[]} alerts */
function showAlerts(alerts) {
  if (!alerts.length) return;
  const atBottom = timelineWrap.scrollHeight - timelineWrap.scrollTop - timelineWrap.clientHeight < 80;
  const list = byId('alerts-list');
  for (const alert of alerts) {
    const item = h('li', { class: `alert alert-${alert.kind}` }, [
      h('strong', {}, [alert.kind === 'alarm' ? `alarm: ${alert.code}` : `rejected: ${alert.code}`]), ' ',
      h('code', {}, [alert.place]), ' ',
    ]);
    const detail = h('span', { class: 'detail' });
    appendEngineText(detail, alert.detail);
    item.append(detail);
    list.append(item);
  }
  byId('alerts-count').textContent = `(${list.childElementCount})`;
  byId('alerts').hidden = false;
  // The banner takes room from the timeline: the newest lines stay in view.
  if (atBottom) timelineWrap.scrollTop = timelineWrap.scrollHeight;
}

function markRead() {
  if (state.readTimer) clearTimeout(state.readTimer);
  state.readTimer = setTimeout(() => {
    const roomID = state.current;
    if (!roomID || document.hidden) return;
    const summary = state.rooms.get(roomID);
    if (summary && summary.unread > 0) api.markRead(roomID, null).catch(() => {});
  }, 300);
}

document.addEventListener('visibilitychange', () => { if (!document.hidden) markRead(); });

// MARK: members

function refreshMembers() {
  if (state.membersTimer) clearTimeout(state.membersTimer);
  state.membersTimer = setTimeout(async () => {
    const roomID = state.current;
    if (!roomID) return;
    const [members, roomState] = await Promise.all([run(() => api.members(roomID)), run(() => api.state(roomID))]);
    if (!members || state.current !== roomID) return;
    state.meAdmin = !!(roomState && roomState.me_admin);
    const list = byId('members');
    list.replaceChildren(...members.members.map((member) => {
      const name = h('span', { class: 'member-name', title: member.sender_id });
      appendEngineText(name, member.displayname || member.sender_id);
      const item = h('li', { class: `member ${member.membership}`, 'data-member': member.raw_id }, [name, ' ',
        h('span', { class: 'membership' }, [member.membership]),
        member.admin ? h('span', { class: 'badge' }, ['admin']) : null]);
      if (state.meAdmin && !member.admin && member.membership === 'join') {
        for (const verb of ['kick', 'ban']) {
          const b = h('button', { type: 'button', class: 'link', 'data-action': verb }, [verb]);
          b.addEventListener('click', () => run(() => api.act(roomID, { action: verb, user_id: member.raw_id })));
          item.append(' ', b);
        }
      }
      return item;
    }));
  }, 100);
}

byId('members-toggle').addEventListener('click', () => {
  const pane = byId('members-pane');
  pane.hidden = !pane.hidden;
  byId('members-toggle').setAttribute('aria-expanded', String(!pane.hidden));
});

byId('invite-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const user = /** @type {HTMLInputElement} */ (byId('invite-user'));
  const key = /** @type {HTMLInputElement} */ (byId('invite-key'));
  const roomID = needRoom();
  run(() => api.act(roomID, { action: 'invite', user_id: user.value.trim(), key: key.value.trim() })).then((ok) => {
    if (ok) { user.value = ''; key.value = ''; }
  });
});

byId('leave-room').addEventListener('click', () => { const id = needRoom(); run(() => api.act(id, { action: 'leave' })); });
byId('join-room').addEventListener('click', () => { const id = needRoom(); run(() => api.join(id)); });

// MARK: composing

/** @param {{kind: 'reply'|'edit', ref: string}|null} mode */
function setMode(mode) {
  if (state.mode && state.mode.kind === 'edit' && (!mode || mode.kind !== 'edit')) composer.value = '';
  state.mode = mode;
  byId('compose-mode').hidden = !mode;
  byId('compose-mode-text').textContent = mode ? `${mode.kind === 'reply' ? 'Replying to' : 'Editing'} ${mode.ref}` : '';
  if (mode) composer.focus();
}

byId('compose-mode-cancel').addEventListener('click', () => setMode(null));

async function submit() {
  const text = composer.value;
  const roomID = state.current;
  if (!roomID || !text.trim()) return;
  const mode = state.mode;
  composer.value = '';
  autosize(composer);
  const result = await run(() => {
    if (mode && mode.kind === 'edit') return api.act(roomID, { action: 'edit', ref: mode.ref, body: text });
    return api.send(roomID, text, mode ? mode.ref : null);
  });
  if (result) setMode(null);
  else composer.value = text;
}

/**
 * Enter sends, Shift+Enter is a new line.
 * @param {HTMLTextAreaElement} area
 * @param {() => void} send
 */
function enterSends(area, send) {
  area.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });
  area.addEventListener('input', () => autosize(area));
}

/** @param {HTMLTextAreaElement} area */
function autosize(area) {
  area.style.height = 'auto';
  area.style.height = `${Math.min(area.scrollHeight, 200)}px`;
}

enterSends(composer, submit);
byId('composer-form').addEventListener('submit', (event) => { event.preventDefault(); submit(); });

composer.addEventListener('input', () => {
  const roomID = state.current;
  const now = Date.now();
  if (!roomID || !composer.value || now - state.lastTyping < 10000) return;
  state.lastTyping = now;
  api.typing(roomID, true).catch(() => {});
});

/** @param {FileList|File[]} files */
async function uploadFiles(files) {
  const roomID = state.current;
  if (!roomID) return;
  for (const file of Array.from(files)) {
    const placeholder = h('li', { class: 'event pending upload' }, [h('div', { class: 'meta' }, ['sending… ']), h('div', { class: 'body' }, [file.name])]);
    byId('timeline').append(placeholder);
    timelineWrap.scrollTop = timelineWrap.scrollHeight;
    await run(() => api.upload(roomID, file, state.mode && state.mode.kind === 'reply' ? state.mode.ref : null));
    placeholder.remove();
  }
}

fileInput.addEventListener('change', () => {
  if (fileInput.files) uploadFiles(fileInput.files).then(() => { fileInput.value = ''; });
});
timelineWrap.addEventListener('dragover', (event) => { event.preventDefault(); timelineWrap.classList.add('drop'); });
timelineWrap.addEventListener('dragleave', () => timelineWrap.classList.remove('drop'));
timelineWrap.addEventListener('drop', (event) => {
  event.preventDefault();
  timelineWrap.classList.remove('drop');
  if (event.dataTransfer && event.dataTransfer.files.length) uploadFiles(event.dataTransfer.files);
});

// MARK: threads

/** @param {string} ref */
async function openThread(ref) {
  const roomID = needRoom();
  state.thread = ref;
  byId('thread-pane').hidden = false;
  threadList.clear();
  const thread = await run(() => api.thread(roomID, ref));
  if (!thread || state.thread !== ref) return;
  for (const entry of thread.events) threadList.upsert(entry);
}

function closeThread() {
  state.thread = null;
  byId('thread-pane').hidden = true;
  threadList.clear();
}

byId('thread-close').addEventListener('click', closeThread);

async function submitThread() {
  const text = threadComposer.value;
  const roomID = state.current;
  const parent = state.thread;
  if (!roomID || !parent || !text.trim()) return;
  threadComposer.value = '';
  const ok = await run(() => api.send(roomID, text, parent));
  if (!ok) threadComposer.value = text;
}

enterSends(threadComposer, submitThread);
byId('thread-form').addEventListener('submit', (event) => { event.preventDefault(); submitThread(); });

// MARK: live updates

/** @param {LiveMessage} message */
function receive(message) {
  const roomID = message.room_id;
  switch (message.type) {
    case 'hello':
      state.rooms = new Map((message.rooms || []).map((room) => [room.room_id, room]));
      renderRooms();
      if (state.current) {
        const current = state.rooms.get(state.current);
        if (current) renderHead(current);
      }
      break;
    case 'room':
      if (message.room) {
        state.rooms.set(message.room.room_id, message.room);
        renderRooms();
        if (roomID === state.current) {
          renderHead(message.room);
          refreshMembers();
        }
      }
      break;
    case 'events':
      if (roomID !== state.current) break;
      {
        const atBottom = timelineWrap.scrollHeight - timelineWrap.scrollTop - timelineWrap.clientHeight < 80;
        for (const entry of message.events || []) {
          timeline.upsert(entry);
          if (state.thread && (entry.parent === state.thread || entry.ref === state.thread)) threadList.upsert(entry);
        }
        if (atBottom) timelineWrap.scrollTop = timelineWrap.scrollHeight;
        if ((message.events || []).some((e) => shown(e) && !e.mine)) markRead();
      }
      break;
    case 'alerts':
      if (roomID === state.current) showAlerts(message.alerts || []);
      break;
    case 'reload':
      if (roomID && roomID === state.current) loadTimeline(roomID);
      break;
    default:
      break;
  }
}

let retry = 500;

function connect() {
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/live`);
  const status = byId('connection');
  socket.addEventListener('open', () => {
    retry = 500;
    status.textContent = 'live';
    status.className = 'connection live';
    // What happened while the socket was down: the room's newest page again.
    if (state.current) loadTimeline(state.current);
  });
  socket.addEventListener('message', (event) => {
    try {
      receive(JSON.parse(String(event.data)));
    } catch (e) {
      console.error('bad live message', e);
    }
  });
  socket.addEventListener('close', () => {
    status.textContent = 'reconnecting…';
    status.className = 'connection down';
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 10000);
  });
}

// MARK: start

byId('sidebar-toggle').addEventListener('click', () => {
  const open = document.body.classList.toggle('sidebar-open');
  byId('sidebar-toggle').setAttribute('aria-expanded', String(open));
});

byId('new-room').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = /** @type {HTMLInputElement} */ (byId('new-room-name'));
  const name = input.value.trim();
  if (!name) return;
  const created = await run(() => api.createRoom(name));
  if (created) {
    input.value = '';
    navigate(created.room_id);
  }
});

window.addEventListener('popstate', () => openRoom(roomFromPath()));

applyTheme();
api.me().then((me) => {
  const label = byId('me');
  label.replaceChildren();
  appendEngineText(label, me.display_name || me.sender_id);
  label.title = me.sender_id;
}).catch(() => {});
connect();
openRoom(roomFromPath());
