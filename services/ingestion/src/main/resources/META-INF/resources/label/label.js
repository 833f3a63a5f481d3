// The labeling page: asks the ingestion service for the next items of a task, posts one label per key press or
// click, and shows progress and agreement. Plain JavaScript on the service's own API; no build step.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const state = { task: '', annotator: '', key: '', labels: [], items: [], index: 0, busy: false,
    tokenTask: false, tags: [], selection: null, anchor: null };

  function headers(json) {
    const h = {};
    if (json) h['Content-Type'] = 'application/json';
    if (state.key) h['X-API-Key'] = state.key;
    return h;
  }

  async function call(method, path, body) {
    const res = await fetch(path, { method, headers: headers(body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    const data = text ? JSON.parse(text) : null;
    if (!res.ok) {
      const reason = data && (data.message || data.reason) ? (data.reason + ': ' + data.message) : res.statusText;
      throw new Error(res.status + ' ' + reason);
    }
    return data;
  }

  function showError(e) {
    $('error').textContent = e.message || String(e);
    $('error').hidden = false;
  }

  async function loadBatch() {
    const q = '/api/v1/tasks/' + encodeURIComponent(state.task) + '/queue?size=10&annotator='
      + encodeURIComponent(state.annotator);
    const batch = await call('GET', q);
    state.labels = batch.labels;
    state.tokenTask = batch.type === 'TOKEN_CLASSIFICATION';
    state.items = batch.items;
    state.index = 0;
    $('order').textContent = batch.order === 'fifo' ? 'oldest first' : 'most uncertain first (' +
      batch.order.split(':')[1] + ')';
    $('order').dataset.order = batch.order;
    $('help-text').hidden = state.tokenTask;
    $('help-tokens').hidden = !state.tokenTask;
    renderButtons();
    render();
  }

  function button(text, onClick, data) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    Object.assign(b.dataset, data);
    b.addEventListener('click', onClick);
    $('buttons').appendChild(b);
  }

  function renderButtons() {
    $('buttons').textContent = '';
    state.labels.forEach((label, i) => button((i < 9 ? (i + 1) + ' · ' : '') + label,
      () => state.tokenTask ? tagSelection(label) : submit(label), { label: label }));
    if (state.tokenTask) {
      button('0 · none', () => tagSelection(null), { label: 'O' });
      button('Enter · submit', () => submitTags(), { action: 'submit' });
    }
  }

  // Token tasks: click a token to select it, shift-click to extend; a type key tags the selection (B- then I-).
  function renderTokens(item) {
    const text = $('text');
    text.textContent = '';
    item.tokens.forEach((token, i) => {
      const span = document.createElement('span');
      span.className = 'tok';
      span.dataset.i = i;
      span.dataset.tag = state.tags[i];
      const sel = state.selection;
      if (sel && i >= sel[0] && i <= sel[1]) span.classList.add('selected');
      if (state.tags[i] !== 'O') {
        span.classList.add('entity');
        span.title = state.tags[i];
        const tag = document.createElement('sub');
        tag.textContent = state.tags[i];
        span.append(token, tag);
      } else {
        span.textContent = token;
      }
      span.addEventListener('click', (e) => {
        if (e.shiftKey && state.anchor !== null) {
          state.selection = [Math.min(state.anchor, i), Math.max(state.anchor, i)];
        } else {
          state.anchor = i;
          state.selection = [i, i];
        }
        renderTokens(item);
      });
      text.append(span, ' ');
    });
  }

  function tagSelection(type) {
    const item = state.items[state.index];
    if (!item || !state.selection) return;
    const [from, to] = state.selection;
    for (let i = from; i <= to; i++) {
      state.tags[i] = type === null ? 'O' : (i === from ? 'B-' : 'I-') + type;
    }
    state.selection = null;
    state.anchor = null;
    renderTokens(item);
  }

  function submitTags() { return post({ tags: state.tags.slice() }, state.tags.join(' ')); }

  function render() {
    const item = state.items[state.index];
    $('work').hidden = !item;
    $('done').hidden = !!item;
    if (!item) return;
    $('item').dataset.id = item.id;
    if (state.tokenTask) {
      state.tags = item.tokens.map(() => 'O');
      state.selection = null;
      state.anchor = null;
      renderTokens(item);
    } else {
      $('text').textContent = item.text;
      // A text-pair task's label belongs to both texts: the second shows under the first.
      $('text-pair').hidden = !item.textPair;
      $('text-pair').textContent = item.textPair || '';
    }
    const hints = [];
    if (item.predicted) hints.push('model guesses ' + item.predicted + ' (uncertainty ' +
      item.uncertainty.toFixed(3) + ')');
    if (item.weakLabel) hints.push('rules suggest ' + item.weakLabel + ' (' +
      Math.round(item.weakConfidence * 100) + '%)');
    if (item.votes) hints.push(item.votes + ' vote(s) so far');
    $('hints').textContent = hints.join(' · ');
    $('remaining').textContent = (state.items.length - state.index) + ' in this batch';
  }

  // One label (text task) or the tags (token task) of the current item; then the next item.
  async function post(payload, shown) {
    const item = state.items[state.index];
    if (!item || state.busy) return;
    state.busy = true;
    try {
      const r = await call('POST', '/api/v1/labels', Object.assign({ task: state.task, id: item.id,
        annotator: state.annotator }, payload));
      $('status').textContent = item.id + ': ' + shown + ' (' + r.status + ')';
      await next();
    } catch (e) {
      showError(e);
    } finally {
      state.busy = false;
    }
  }

  function submit(label) { return post({ label: label }, label); }

  async function next() {
    state.index++;
    if (state.index >= state.items.length) await loadBatch(); else render();
    await loadProgress();
  }

  function fmt(v) { return v === null || v === undefined ? '–' : v.toFixed(3); }

  async function loadProgress() {
    const p = await call('GET', '/api/v1/tasks/' + encodeURIComponent(state.task) + '/labeling');
    $('progress').hidden = false;
    $('p-labelled').textContent = p.labelled;
    $('p-unlabelled').textContent = p.unlabelled;
    $('p-awaiting').textContent = p.awaitingVotes;
    $('p-held').textContent = p.held;
    $('p-quorum').textContent = p.quorum + ' (' + p.conflicts.toLowerCase() + ')';
    $('p-fleiss').textContent = fmt(p.fleissKappa) + (p.agreementItems ? ' over ' + p.agreementItems + ' items' : '');
    const pairs = $('p-pairs').tBodies[0];
    pairs.textContent = '';
    p.pairs.forEach((x) => {
      const tr = pairs.insertRow();
      tr.insertCell().textContent = x.a + ' · ' + x.b;
      tr.insertCell().textContent = x.items;
      tr.insertCell().textContent = fmt(x.cohenKappa);
    });
    const people = $('p-annotators').tBodies[0];
    people.textContent = '';
    Object.entries(p.votesByAnnotator).forEach(([who, n]) => {
      const tr = people.insertRow();
      tr.insertCell().textContent = who;
      tr.insertCell().textContent = n;
    });
  }

  document.addEventListener('keydown', (e) => {
    if (e.target instanceof HTMLInputElement || $('work').hidden) return;
    if (e.key >= '1' && e.key <= '9') {
      const label = state.labels[Number(e.key) - 1];
      if (label) { e.preventDefault(); if (state.tokenTask) tagSelection(label); else submit(label); }
    } else if (state.tokenTask && e.key === '0') {
      e.preventDefault();
      tagSelection(null);
    } else if (state.tokenTask && e.key === 'Enter') {
      e.preventDefault();
      submitTags();
    } else if (e.key === 's') {
      e.preventDefault();
      next().catch(showError);
    }
  });

  $('who').addEventListener('submit', (e) => {
    e.preventDefault();
    state.task = $('task').value.trim();
    state.annotator = $('annotator').value.trim();
    state.key = $('key').value;
    localStorage.setItem('finetide.annotator', state.annotator);
    $('error').hidden = true;
    document.activeElement.blur();
    loadBatch().then(loadProgress).catch(showError);
  });

  const params = new URLSearchParams(location.search);
  $('task').value = params.get('task') || '';
  $('annotator').value = params.get('annotator') || localStorage.getItem('finetide.annotator') || '';
  if ($('task').value && $('annotator').value) $('who').requestSubmit();
})();
