// The face's JSON API (docs/web.md). Every text field arrives escaped by the
// engine; render.js turns it into DOM text, never into markup.

/**
 * @typedef {object} Reaction
 * @property {string} key   the reaction, escaped for display
 * @property {string} raw   the reaction as sent (for react/unreact)
 * @property {number} count
 * @property {boolean} mine
 * @property {string[]} senders
 */

/**
 * @typedef {object} SharedFileInfo
 * @property {string} name
 * @property {number} size
 * @property {string} mimetype
 * @property {string} sha256
 */

/**
 * @typedef {object} Entry
 * @property {string} ref
 * @property {string} id
 * @property {number} ts
 * @property {string} time
 * @property {string} sender
 * @property {string|null} name
 * @property {string} kind
 * @property {string} flags
 * @property {string} text
 * @property {boolean} redacted
 * @property {boolean} pending
 * @property {boolean} late
 * @property {boolean} mine
 * @property {string|null} parent
 * @property {string|null} target
 * @property {string=} edited
 * @property {SharedFileInfo=} file
 * @property {string=} caption
 * @property {Reaction[]=} reactions
 * @property {number=} replies
 */

/**
 * @typedef {object} RoomSummary
 * @property {string} room_id
 * @property {string|null} name
 * @property {string|null} topic
 * @property {number} unread
 * @property {number} events
 * @property {number} pending
 * @property {number} alerts
 * @property {boolean} loaded
 * @property {string|null} membership
 * @property {number} joined
 * @property {boolean} integrity_ok
 * @property {boolean} legacy
 * @property {boolean} metadata_pending
 * @property {number} upload_pending
 * @property {string|null} upload_error
 * @property {string|null} sync_error
 * @property {string[]} typing
 * @property {boolean=} me_admin
 */

/**
 * @typedef {object} Alert
 * @property {string} kind
 * @property {string} code
 * @property {string} place
 * @property {string|null} ref
 * @property {string} detail
 */

/**
 * @typedef {object} Member
 * @property {string} sender_id
 * @property {string} raw_id
 * @property {string} membership
 * @property {string|null} displayname
 * @property {number} keys
 * @property {boolean} admin
 * @property {boolean} trusted_locally
 */

/**
 * @typedef {object} TimelinePage
 * @property {string} room_id
 * @property {Entry[]} events
 * @property {boolean} more
 * @property {string|null} before
 * @property {number} total
 */

/**
 * @typedef {object} Me
 * @property {string} sender_id
 * @property {string|null} display_name
 * @property {string} public_key
 * @property {string} store
 */

/**
 * @typedef {object} LiveMessage
 * @property {string} type
 * @property {string=} room_id
 * @property {string=} me
 * @property {RoomSummary[]=} rooms
 * @property {RoomSummary=} room
 * @property {Entry[]=} events
 * @property {Alert[]=} alerts
 */

/** An API call that failed: the server's sentence and code. */
export class ApiError extends Error {
  /**
   * @param {string} message
   * @param {number} status
   * @param {string} code
   */
  constructor(message, status, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * @param {string} method
 * @param {string} path
 * @param {unknown=} body
 * @returns {Promise<any>}
 */
async function call(method, path, body) {
  /** @type {RequestInit} */
  const init = { method, credentials: 'same-origin', headers: {} };
  if (body !== undefined) {
    init.headers = { 'Content-Type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  let data = null;
  try {
    data = await response.json();
  } catch (_) {
    data = null;
  }
  if (!response.ok) {
    const message = data && typeof data.error === 'string' ? data.error : `${response.status} ${response.statusText}`;
    throw new ApiError(message, response.status, data && typeof data.code === 'string' ? data.code : 'http');
  }
  return data;
}

/** @param {string} id */
const room = (id) => `/api/rooms/${encodeURIComponent(id)}`;

/** @returns {Promise<Me>} */
export const me = () => call('GET', '/api/me');
/** @returns {Promise<{rooms: RoomSummary[]}>} */
export const rooms = () => call('GET', '/api/rooms');
/**
 * @param {string} name
 * @returns {Promise<{room_id: string}>}
 */
export const createRoom = (name) => call('POST', '/api/rooms', { name });
/**
 * @param {string} id
 * @param {string|null} before
 * @param {number} limit
 * @returns {Promise<TimelinePage>}
 */
export const timeline = (id, before, limit) =>
  call('GET', `${room(id)}/timeline?limit=${limit}${before ? `&before=${encodeURIComponent(before)}` : ''}`);
/**
 * @param {string} id
 * @param {string} ref
 * @returns {Promise<{parent: string, events: Entry[]}>}
 */
export const thread = (id, ref) => call('GET', `${room(id)}/thread/${encodeURIComponent(ref)}`);
/**
 * @param {string} id
 * @returns {Promise<{members: Member[]}>}
 */
export const members = (id) => call('GET', `${room(id)}/members`);
/**
 * @param {string} id
 * @returns {Promise<RoomSummary & {admins: string[], me_admin: boolean}>}
 */
export const state = (id) => call('GET', `${room(id)}/state`);
/**
 * @param {string} id
 * @returns {Promise<{alerts: Alert[]}>}
 */
export const alerts = (id) => call('GET', `${room(id)}/alerts`);
/**
 * @param {string} id
 * @param {string} body
 * @param {string|null} replyTo
 * @returns {Promise<{ref: string}>}
 */
export const send = (id, body, replyTo) => call('POST', `${room(id)}/messages`, replyTo ? { body, reply_to: replyTo } : { body });
/**
 * @param {string} id
 * @param {Record<string, string|boolean>} action
 * @returns {Promise<{ref: string, refs: string[]}>}
 */
export const act = (id, action) => call('POST', `${room(id)}/actions`, action);
/**
 * @param {string} id
 * @param {string|null} ref
 */
export const markRead = (id, ref) => call('POST', `${room(id)}/read`, ref ? { ref } : {});
/** @param {string} id */
export const join = (id) => call('POST', `${room(id)}/join`, {});
/**
 * @param {string} id
 * @param {boolean} typing
 */
export const typing = (id, typing) => call('POST', `${room(id)}/typing`, { typing });

/**
 * Uploads a file: the browser streams it; the server writes it into the
 * journal's blob area and shares it once it is all there.
 * @param {string} id
 * @param {File} file
 * @param {string|null} replyTo
 * @returns {Promise<{ref: string}>}
 */
export async function upload(id, file, replyTo) {
  // Percent-encoded (a space as %20, not the + of form encoding).
  /** @type {[string, string][]} */
  const fields = [['name', file.name]];
  if (file.type) fields.push(['mimetype', file.type]);
  if (replyTo) fields.push(['reply_to', replyTo]);
  const query = fields.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  const response = await fetch(`${room(id)}/files?${query}`, {
    method: 'POST', credentials: 'same-origin', body: file, headers: { 'Content-Type': 'application/octet-stream' },
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(data && data.error ? String(data.error) : `${response.status}`, response.status, data && data.code ? String(data.code) : 'http');
  }
  return data;
}

/**
 * The download address of a shared file (checked against its SHA-256 by the server).
 * @param {string} id
 * @param {string} ref
 */
export const fileURL = (id, ref) => `${room(id)}/files/${encodeURIComponent(ref)}`;
