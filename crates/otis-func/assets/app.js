// The OTIS chat page: asks /api/query (streamed as server-sent events), lists and
// manages sessions, shows cited source lines, sends feedback, exports a conversation.
//
// Safety rule: text from users, models, files or the store goes into the page only as
// text (textContent, createElement). The one exception is the server's answer_html,
// which the server rendered from Markdown and sanitised; it goes in through the
// Trusted Types policy below, which the page's Content-Security-Policy requires.
(() => {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const SESSION_KEY = 'otis.session';
  const TITLES_KEY = 'otis.titles';
  const API_KEY = 'otis.key';
  const PAGE_SIZE = 30;
  const MAX_LISTED = 2000;

  const policy = window.trustedTypes
    ? window.trustedTypes.createPolicy('otis-answer', { createHTML: (html) => html })
    : { createHTML: (html) => html };

  /** Puts the server's sanitised answer HTML into `element`; nothing else may. */
  function setAnswerHtml(element, serverHtml) {
    element.innerHTML = policy.createHTML(serverHtml);
  }

  const state = {
    session: null,
    key: sessionStorage.getItem(API_KEY) || '',
    controller: null,
    sessions: [],
    shown: PAGE_SIZE,
    keyPrompt: null,
  };

  // ---------- small helpers ----------

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [name, value] of Object.entries(props)) {
        if (value === undefined || value === null || value === false) continue;
        if (name === 'text') node.textContent = value;
        else if (name === 'class') node.className = value;
        else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
        else node.setAttribute(name, value === true ? '' : String(value));
      }
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  function randomId() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return 'web-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function titles() {
    try {
      return JSON.parse(localStorage.getItem(TITLES_KEY) || '{}') || {};
    } catch (_) {
      return {};
    }
  }

  function setTitle(session, title) {
    const all = titles();
    if (all[session]) return;
    all[session] = title.slice(0, 80);
    const keys = Object.keys(all);
    if (keys.length > 500) delete all[keys[0]];
    localStorage.setItem(TITLES_KEY, JSON.stringify(all));
  }

  function titleOf(session) {
    return titles()[session] || session;
  }

  function when(iso) {
    const t = Date.parse(iso);
    if (Number.isNaN(t)) return '';
    const seconds = Math.round((Date.now() - t) / 1000);
    if (seconds < 60) return 'just now';
    if (seconds < 3600) return Math.round(seconds / 60) + ' min ago';
    if (seconds < 86400) return Math.round(seconds / 3600) + ' h ago';
    return new Date(t).toLocaleDateString();
  }

  function sourceLabel(source) {
    if (!source.lines) return source.file;
    const [a, b] = source.lines;
    return a === b ? `${source.file}:${a}` : `${source.file}:${a}-${b}`;
  }

  function notice(message) {
    const box = $('notice');
    box.textContent = message || '';
    box.hidden = !message;
  }

  async function errorMessage(response) {
    try {
      const body = await response.json();
      if (body && body.error) return `${body.error.message} (${body.error.code})`;
    } catch (_) {
      // not JSON
    }
    return `the server answered ${response.status}`;
  }

  // ---------- the API, with the key when one is needed ----------

  function askForKey() {
    if (state.keyPrompt) return state.keyPrompt;
    const dialog = $('key-dialog');
    state.keyPrompt = new Promise((resolve, reject) => {
      const input = $('key-input');
      input.value = '';
      const done = (ok) => {
        $('key-ok').removeEventListener('click', onOk);
        $('key-cancel').removeEventListener('click', onCancel);
        dialog.removeEventListener('cancel', onCancel);
        input.removeEventListener('keydown', onKey);
        dialog.close();
        state.keyPrompt = null;
        if (ok) resolve();
        else reject(new Error('no API key given'));
      };
      const onOk = () => {
        if (!input.value) return;
        state.key = input.value;
        sessionStorage.setItem(API_KEY, state.key);
        done(true);
      };
      const onCancel = (event) => {
        if (event) event.preventDefault();
        done(false);
      };
      const onKey = (event) => {
        if (event.key === 'Enter') {
          event.preventDefault();
          onOk();
        }
      };
      $('key-ok').addEventListener('click', onOk);
      $('key-cancel').addEventListener('click', onCancel);
      dialog.addEventListener('cancel', onCancel);
      input.addEventListener('keydown', onKey);
      dialog.showModal();
      input.focus();
    });
    return state.keyPrompt;
  }

  /** fetch() on this server, sending the key when there is one. On a 401 for a missing
   * or wrong key it asks for the key (once) and tries again. */
  async function api(path, options = {}, retried = false) {
    const headers = new Headers(options.headers || {});
    if (state.key) {
      // x-api-key for OTIS_API_KEY; x-functions-key for a function key on Azure.
      headers.set('x-api-key', state.key);
      headers.set('x-functions-key', state.key);
    }
    const response = await fetch(path, { ...options, headers, credentials: 'same-origin' });
    if (response.status === 401 && !retried) {
      let code = '';
      try {
        code = ((await response.clone().json()).error || {}).code || '';
      } catch (_) {
        // the Functions host answers 401 without a body
      }
      if (code === 'unauthenticated') {
        throw new Error('you are not signed in: reload the page to sign in');
      }
      if (state.key) {
        state.key = '';
        sessionStorage.removeItem(API_KEY);
      }
      await askForKey();
      return api(path, options, true);
    }
    return response;
  }

  async function apiJson(path, options) {
    const response = await api(path, options);
    if (!response.ok) throw new Error(await errorMessage(response));
    return response.json();
  }

  // ---------- status ----------

  async function loadStatus() {
    const badge = $('status');
    try {
      const response = await fetch('/api/health');
      const body = await response.json().catch(() => ({}));
      const ok = response.ok && body.status === 'ok';
      badge.textContent = ok ? 'online' : 'unavailable';
      badge.className = 'badge ' + (ok ? 'ok' : 'bad');
      badge.title = ok ? '' : ((body.error || {}).message || `HTTP ${response.status}`);
    } catch (_) {
      badge.textContent = 'offline';
      badge.className = 'badge bad';
    }
    try {
      const stats = await apiJson('/api/stats');
      $('backend').textContent = `store ${stats.store} · model ${stats.model}`;
    } catch (error) {
      $('backend').textContent = '';
      notice(`Could not read the server's settings: ${error.message}`);
    }
  }

  // ---------- sessions ----------

  async function loadSessions() {
    const all = [];
    let cursor = null;
    try {
      do {
        const query = new URLSearchParams({ limit: '200' });
        if (cursor) query.set('cursor', cursor);
        const page = await apiJson('/api/sessions?' + query);
        all.push(...page.sessions);
        cursor = page.next_cursor;
      } while (cursor && all.length < MAX_LISTED);
    } catch (error) {
      notice(`Could not list the conversations: ${error.message}`);
      return;
    }
    all.sort((a, b) => (a.last_activity < b.last_activity ? 1 : a.last_activity > b.last_activity ? -1 : 0));
    state.sessions = all;
    renderSessions();
  }

  function renderSessions() {
    const list = $('sessions');
    list.replaceChildren();
    const shown = state.sessions.slice(0, state.shown);
    for (const session of shown) {
      const id = session.session_id;
      const title = titleOf(id);
      const open = el(
        'button',
        {
          type: 'button',
          class: 'open',
          'aria-current': id === state.session ? 'true' : 'false',
          'data-session': id,
          onclick: () => switchTo(id),
        },
        el('span', { class: 'title', text: title }),
        el('span', {
          class: 'when',
          text: `${session.turns} ${session.turns === 1 ? 'turn' : 'turns'} · ${when(session.last_activity)}`,
        }),
      );
      const remove = el('button', {
        type: 'button',
        class: 'delete',
        'aria-label': `Delete conversation ${title}`,
        title: 'Delete',
        text: '\u2715',
        onclick: () => confirmDelete(id, title, session.turns),
      });
      list.append(el('li', null, open, remove));
    }
    $('sessions-empty').hidden = state.sessions.length > 0;
    $('more-sessions').hidden = state.sessions.length <= state.shown;
  }

  function setSession(id) {
    state.session = id;
    localStorage.setItem(SESSION_KEY, id);
    showLabel();
    for (const button of document.querySelectorAll('#sessions .open')) {
      button.setAttribute('aria-current', button.dataset.session === id ? 'true' : 'false');
    }
  }

  function showLabel() {
    const id = state.session;
    const title = titles()[id];
    $('session-label').textContent = title || 'New conversation';
    $('session-label').title = id;
  }

  function clearConversation() {
    const conversation = $('conversation');
    for (const turn of conversation.querySelectorAll('.turn')) turn.remove();
    $('empty').hidden = false;
    notice('');
  }

  function newChat() {
    stop();
    clearConversation();
    setSession(randomId());
    closeSidebar();
    $('question').focus();
  }

  async function switchTo(id) {
    stop();
    clearConversation();
    setSession(id);
    closeSidebar();
    await loadHistory(id);
    $('question').focus();
  }

  async function allTurns(id) {
    const turns = [];
    let cursor = null;
    do {
      const query = new URLSearchParams({ session_id: id, limit: '1000' });
      if (cursor) query.set('cursor', cursor);
      const page = await apiJson('/api/history?' + query);
      turns.push(...page.turns);
      cursor = page.next_cursor;
    } while (cursor);
    return turns;
  }

  async function loadHistory(id) {
    let turns;
    try {
      turns = await allTurns(id);
    } catch (error) {
      notice(`Could not read the conversation: ${error.message}`);
      return;
    }
    if (state.session !== id) return;
    for (const turn of turns) {
      const meta = turn.metadata || {};
      const view = addTurn(turn.user);
      finishTurn(view, {
        question: turn.user,
        answer: turn.assistant,
        answer_html: turn.assistant_html,
        resolved_question: meta.resolved_question,
        // A flow answer's drawing, made again by the server from the stored graph.
        diagram: turn.diagram,
        subject: meta.subject,
        sources: meta.sources || [],
        model: meta.model,
        interrupted: meta.interrupted === true,
        persisted: true,
      });
    }
    if (turns.length > 0) setTitle(id, turns[0].user);
    showLabel();
    scrollDown();
  }

  function confirmDelete(id, title, turns) {
    const dialog = $('confirm-delete');
    $('confirm-text').textContent =
      `"${title}" and its ${turns} ${turns === 1 ? 'turn' : 'turns'} will be removed for good.`;
    const done = async (ok) => {
      $('confirm-ok').removeEventListener('click', onOk);
      $('confirm-cancel').removeEventListener('click', onCancel);
      dialog.removeEventListener('cancel', onCancel);
      dialog.close();
      if (!ok) return;
      try {
        await apiJson('/api/history?' + new URLSearchParams({ session_id: id }), { method: 'DELETE' });
      } catch (error) {
        notice(`Could not delete the conversation: ${error.message}`);
        return;
      }
      state.sessions = state.sessions.filter((s) => s.session_id !== id);
      renderSessions();
      if (state.session === id) newChat();
    };
    const onOk = () => done(true);
    const onCancel = (event) => {
      if (event) event.preventDefault();
      done(false);
    };
    $('confirm-ok').addEventListener('click', onOk);
    $('confirm-cancel').addEventListener('click', onCancel);
    dialog.addEventListener('cancel', onCancel);
    dialog.showModal();
    $('confirm-cancel').focus();
  }

  // ---------- turns ----------

  function scrollDown() {
    const conversation = $('conversation');
    conversation.scrollTop = conversation.scrollHeight;
  }

  function addTurn(question) {
    $('empty').hidden = true;
    const answer = el('div', { class: 'answer streaming', 'aria-live': 'polite', 'aria-busy': 'true' });
    const turn = el(
      'article',
      { class: 'turn', 'aria-label': 'Question and answer' },
      el('div', { class: 'question', text: question }),
      answer,
    );
    $('conversation').append(turn);
    scrollDown();
    return { turn, answer, question };
  }

  function finishTurn(view, record) {
    const { turn, answer } = view;
    answer.classList.remove('streaming');
    answer.removeAttribute('aria-busy');
    answer.classList.add('rendered');
    setAnswerHtml(answer, record.answer_html || '');
    if (record.resolved_question && record.resolved_question !== record.question) {
      answer.before(el('p', { class: 'resolved', text: `Understood as: ${record.resolved_question}` }));
    }
    if (record.interrupted) {
      answer.after(el('p', { class: 'interrupted', text: 'Stopped: the answer so far was kept.' }));
    }
    const extras = [];
    if (record.diagram && record.diagram.svg) {
      // The drawing takes the place of the answer's Mermaid block, else follows it.
      const figure = diagramView(record);
      const block = answer.querySelector('code.language-mermaid');
      if (block && block.parentElement.tagName === 'PRE') block.parentElement.replaceWith(figure);
      else extras.push(figure);
    }
    if (record.sources && record.sources.length) extras.push(sourcesView(record.sources));
    const meta = [];
    if (record.model) meta.push(`model ${record.model}`);
    if (typeof record.duration_ms === 'number') meta.push(`${Math.round(record.duration_ms)} ms`);
    if (record.persisted === false && record.persist_error) meta.push(record.persist_error);
    if (meta.length) extras.push(el('p', { class: 'meta', text: meta.join(' · ') }));
    extras.push(feedbackView(record));
    turn.append(...extras);
  }

  function failTurn(view, message, partial) {
    const { answer } = view;
    answer.classList.remove('streaming');
    answer.removeAttribute('aria-busy');
    answer.textContent = partial || '';
    if (!partial) answer.hidden = true;
    answer.after(el('p', { class: 'error', role: 'alert', text: message }));
  }

  /** The server's SVG as an image: an SVG document loaded by <img> runs no script and
   * loads nothing, whatever it holds. */
  function diagramView(record) {
    const url = URL.createObjectURL(new Blob([record.diagram.svg], { type: 'image/svg+xml' }));
    const subject = record.subject ? ` of ${record.subject}` : '';
    return el(
      'figure',
      { class: 'diagram' },
      el('img', { src: url, alt: `Diagram${subject}; its Mermaid text follows.` }),
      el(
        'details',
        null,
        el('summary', { text: 'Mermaid text' }),
        el('pre', { text: record.diagram.mermaid || '' }),
      ),
    );
  }

  function sourcesView(sources) {
    const list = el('ul');
    for (const source of sources) {
      const label = sourceLabel(source);
      list.append(
        el(
          'li',
          null,
          el('button', {
            type: 'button',
            class: 'source',
            text: `[${source.index}] ${label}`,
            'aria-label': `Open source ${source.index}, ${label}`,
            onclick: () => openSource(source),
          }),
        ),
      );
    }
    return el('div', { class: 'sources' }, el('h3', { text: 'Sources' }), list);
  }

  function feedbackView(record) {
    const box = el('div', { class: 'feedback', role: 'group', 'aria-label': 'Feedback on this answer' });
    let rating = 0;
    // Words, not emoji: a machine without an emoji font would show empty boxes.
    const up = el('button', { type: 'button', class: 'thumb up', 'aria-pressed': 'false', 'aria-label': 'Helpful', text: '\u25B2 Yes' });
    const down = el('button', { type: 'button', class: 'thumb down', 'aria-pressed': 'false', 'aria-label': 'Not helpful', text: '\u25BC No' });
    const commentId = 'c-' + Math.random().toString(36).slice(2);
    const comment = el('textarea', { id: commentId, rows: '1', maxlength: '8000' });
    const send = el('button', { type: 'button', class: 'send-feedback', text: 'Send feedback' });
    const status = el('span', { class: 'feedback-status', role: 'status' });
    const commentBox = el(
      'div',
      { class: 'comment-box', hidden: true },
      el('label', { for: commentId, text: 'Comment (optional)' }),
      comment,
      send,
    );
    const choose = (value) => {
      rating = value;
      up.setAttribute('aria-pressed', String(value === 1));
      down.setAttribute('aria-pressed', String(value === -1));
      commentBox.hidden = false;
      status.textContent = '';
    };
    up.addEventListener('click', () => choose(1));
    down.addEventListener('click', () => choose(-1));
    send.addEventListener('click', async () => {
      send.disabled = true;
      try {
        const body = { question: record.question, answer: record.answer || '', rating };
        if (state.session) body.session_id = state.session;
        if (comment.value.trim()) body.comment = comment.value.trim();
        await apiJson('/api/feedback', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        commentBox.hidden = true;
        status.className = 'feedback-status thanks';
        status.textContent = 'Thank you, your feedback was stored.';
      } catch (error) {
        status.className = 'feedback-status error';
        status.textContent = `Feedback not stored: ${error.message}`;
      } finally {
        send.disabled = false;
      }
    });
    box.append(el('span', { class: 'muted', text: 'Was this helpful?' }), up, down, status, commentBox);
    return box;
  }

  // ---------- asking ----------

  function busy(on) {
    $('send').disabled = on;
    $('stop').hidden = !on;
  }

  function stop() {
    if (state.controller) state.controller.abort();
  }

  function parseEvent(block) {
    let event = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    return { event, data: data.join('\n'), empty: data.length === 0 };
  }

  async function ask(question) {
    if (state.controller) return;
    notice('');
    const session = state.session;
    setTitle(session, question);
    showLabel();
    const view = addTurn(question);
    const controller = new AbortController();
    state.controller = controller;
    busy(true);
    let text = '';
    let finished = false;
    try {
      const response = await api('/api/query', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ question, session_id: session, enable_persistence: true, stream: true }),
        signal: controller.signal,
      });
      if (!response.ok) {
        failTurn(view, `No answer: ${await errorMessage(response)}`);
        return;
      }
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const event = parseEvent(buffer.slice(0, cut));
          buffer = buffer.slice(cut + 2);
          if (event.empty) continue;
          if (event.event === 'delta') {
            text += JSON.parse(event.data).text;
            view.answer.textContent = text;
            scrollDown();
          } else if (event.event === 'done') {
            finishTurn(view, JSON.parse(event.data));
            finished = true;
          } else if (event.event === 'error') {
            const error = JSON.parse(event.data).error || {};
            failTurn(view, `No answer: ${error.message} (${error.code})`, text);
            finished = true;
          }
        }
      }
      if (!finished) failTurn(view, 'The answer was cut off.', text);
    } catch (error) {
      if (error.name === 'AbortError') {
        view.answer.classList.remove('streaming');
        view.answer.removeAttribute('aria-busy');
        view.answer.classList.add('stopped');
        view.answer.after(el('p', { class: 'interrupted', text: 'Stopped: the answer so far was kept.' }));
      } else {
        failTurn(view, `No answer: ${error.message}`, text);
      }
    } finally {
      state.controller = null;
      busy(false);
      scrollDown();
      loadSessions();
    }
  }

  // ---------- sources ----------

  async function openSource(source) {
    const panel = $('source-panel');
    const lines = $('source-lines');
    const [first, last] = source.lines || [1, 1];
    const from = Math.max(1, first - 5);
    const to = last + 5;
    $('source-title').textContent = sourceLabel(source);
    $('source-note').textContent = 'Loading…';
    lines.replaceChildren();
    panel.hidden = false;
    try {
      const query = new URLSearchParams({ file: source.file, start: String(from), end: String(to) });
      const body = await apiJson('/api/source?' + query);
      body.lines.forEach((line, i) => {
        const n = body.start + i;
        const cited = n >= first && n <= last;
        lines.append(
          el('span', { class: cited ? 'line cited' : 'line' }, el('span', { class: 'ln', text: String(n) }), line),
        );
      });
      $('source-note').textContent = `Lines ${body.start}-${body.end} of ${body.total_lines}; cited lines highlighted.`;
      const cited = lines.querySelector('.cited');
      if (cited) cited.scrollIntoView({ block: 'center' });
    } catch (error) {
      $('source-note').textContent = `Could not open the source: ${error.message}`;
    }
    $('source-close').focus();
  }

  function closeSource() {
    $('source-panel').hidden = true;
  }

  // ---------- export ----------

  function download(name, type, text) {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const link = el('a', { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function fileName(id, extension) {
    return `otis-${id.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80)}.${extension}`;
  }

  async function exportAs(kind) {
    const id = state.session;
    let turns;
    try {
      turns = await allTurns(id);
    } catch (error) {
      notice(`Could not export: ${error.message}`);
      return;
    }
    if (kind === 'json') {
      // The `otis sessions export` format: {session_id, turns: [{seq, id, at, user, assistant, metadata}]}.
      const plain = turns.map(({ seq, id: turnId, at, user, assistant, metadata }) => ({
        seq,
        id: turnId,
        at,
        user,
        assistant,
        metadata,
      }));
      download(fileName(id, 'json'), 'application/json', JSON.stringify({ session_id: id, turns: plain }, null, 2) + '\n');
      return;
    }
    const out = [`# OTIS conversation ${id}`, '', `Exported ${new Date().toISOString()}.`, ''];
    turns.forEach((turn, i) => {
      const meta = turn.metadata || {};
      out.push(`## ${i + 1}. ${turn.user.replace(/\s+/g, ' ')}`, '');
      if (meta.resolved_question && meta.resolved_question !== turn.user) {
        out.push(`_Understood as: ${meta.resolved_question}_`, '');
      }
      out.push(turn.assistant, '');
      if (meta.interrupted) out.push('_(stopped before the end)_', '');
      const sources = (meta.sources || []).map((s) => `[${s.index}] ${sourceLabel(s)}`);
      if (sources.length) out.push(`Sources: ${sources.join(', ')}`, '');
    });
    download(fileName(id, 'md'), 'text/markdown', out.join('\n'));
  }

  // ---------- layout ----------

  function closeSidebar() {
    $('sidebar').classList.remove('open');
    $('toggle-sessions').setAttribute('aria-expanded', 'false');
  }

  function toggleSidebar() {
    const open = $('sidebar').classList.toggle('open');
    $('toggle-sessions').setAttribute('aria-expanded', String(open));
    if (open) $('new-chat').focus();
  }

  // ---------- start ----------

  function start() {
    $('ask').addEventListener('submit', (event) => {
      event.preventDefault();
      const box = $('question');
      const question = box.value.trim();
      if (!question || state.controller) return;
      box.value = '';
      ask(question);
    });
    $('question').addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        $('ask').requestSubmit();
      }
    });
    // An example asks itself, as if typed and sent.
    for (const example of document.querySelectorAll('#empty button.example')) {
      example.addEventListener('click', () => {
        if (state.controller) return;
        $('question').value = example.textContent;
        $('ask').requestSubmit();
      });
    }
    $('stop').addEventListener('click', stop);
    $('new-chat').addEventListener('click', newChat);
    $('more-sessions').addEventListener('click', () => {
      state.shown += PAGE_SIZE;
      renderSessions();
    });
    $('export-md').addEventListener('click', () => exportAs('md'));
    $('export-json').addEventListener('click', () => exportAs('json'));
    $('source-close').addEventListener('click', closeSource);
    $('toggle-sessions').addEventListener('click', toggleSidebar);
    document.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || document.querySelector('dialog[open]')) return;
      if (!$('source-panel').hidden) closeSource();
      else if ($('sidebar').classList.contains('open')) closeSidebar();
      else if (state.controller) stop();
    });

    const saved = localStorage.getItem(SESSION_KEY);
    setSession(saved || randomId());
    loadStatus().then(() => Promise.all([loadSessions(), saved ? loadHistory(saved) : null]));
  }

  start();
})();
