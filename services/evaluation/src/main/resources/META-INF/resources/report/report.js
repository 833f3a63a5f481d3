// The model report page: reads a task's verdicts from the evaluation service's audit trail and shows one (the
// latest, or ?model=) with its plots, drawn as SVG. Plain JavaScript on the service's own API; no build step.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const NS = 'http://www.w3.org/2000/svg';
  const params = new URLSearchParams(location.search);
  const f4 = (x) => (x === undefined || x === null || isNaN(x)) ? '-' : Number(x).toFixed(4);
  const pct = (x) => (100 * x).toFixed(1) + '%';

  function el(tag, attrs, text) {
    const e = document.createElementNS(NS, tag);
    Object.entries(attrs || {}).forEach(([k, v]) => e.setAttribute(k, v));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function row(tbody, cells, numeric) {
    const tr = document.createElement('tr');
    cells.forEach((c, i) => {
      const td = document.createElement('td');
      if (c instanceof Node) td.appendChild(c); else td.textContent = c;
      if (numeric && numeric.includes(i)) td.className = 'num';
      tr.appendChild(td);
    });
    tbody.appendChild(tr);
    return tr;
  }

  function figureOf(metrics, figure) {
    if (!metrics) return NaN;
    return figure === 'entity_f1' ? metrics.microF1 : metrics.macroF1;
  }

  // Blue of the share of the true label's row the cell holds.
  function confusion(svg, labels, matrix) {
    const n = labels.length, cell = Math.max(28, Math.min(70, 280 / Math.max(1, n))), left = 90, top = 70;
    svg.setAttribute('width', left + n * cell + 10);
    svg.setAttribute('height', top + n * cell + 10);
    svg.appendChild(el('text', { x: left, y: 14 }, 'predicted'));
    labels.forEach((l, j) => svg.appendChild(el('text', { x: left + j * cell + 4, y: top - 8,
      transform: `rotate(-30 ${left + j * cell + 4} ${top - 8})` }, l)));
    for (let i = 0; i < n; i++) {
      svg.appendChild(el('text', { x: 4, y: top + i * cell + cell / 2 + 4 }, labels[i]));
      const total = matrix.slice(i * n, (i + 1) * n).reduce((a, b) => a + Number(b), 0) || 1;
      for (let j = 0; j < n; j++) {
        const v = Number(matrix[i * n + j]), share = v / total;
        const light = Math.round(96 - 60 * share);
        svg.appendChild(el('rect', { class: 'cell', x: left + j * cell, y: top + i * cell, width: cell - 2,
          height: cell - 2, fill: `hsl(215, 70%, ${light}%)` }));
        svg.appendChild(el('text', { x: left + j * cell + cell / 2 - 8, y: top + i * cell + cell / 2 + 4,
          style: share > 0.5 ? 'fill:#fff' : '' }, String(v)));
      }
    }
  }

  function axes(svg, w, h, pad, yLabel) {
    svg.setAttribute('width', w);
    svg.setAttribute('height', h);
    svg.appendChild(el('line', { x1: pad, y1: h - pad, x2: w - 10, y2: h - pad, stroke: '#888' }));
    svg.appendChild(el('line', { x1: pad, y1: 10, x2: pad, y2: h - pad, stroke: '#888' }));
    svg.appendChild(el('text', { x: 4, y: 20 }, yLabel));
  }

  function reliability(svg, c) {
    const w = 340, h = 280, pad = 36, iw = w - pad - 10, ih = h - pad - 10;
    axes(svg, w, h, pad, 'accuracy');
    svg.appendChild(el('line', { x1: pad, y1: h - pad, x2: pad + iw, y2: h - pad - ih, stroke: '#bbb',
      'stroke-dasharray': '4 3' }));
    const bins = c.binCount.length;
    for (let b = 0; b < bins; b++) {
      const x = pad + b * iw / bins, bw = iw / bins - 2, count = Number(c.binCount[b]);
      if (count === 0) continue;
      const hh = c.binAccuracy[b] * ih;
      svg.appendChild(el('rect', { class: 'bin', x: x + 1, y: h - pad - hh, width: bw, height: hh,
        fill: 'hsl(160, 55%, 45%)' }));
      svg.appendChild(el('circle', { cx: pad + c.binConfidence[b] * iw, cy: h - pad - c.binConfidence[b] * ih,
        r: 3, fill: '#b3261e' }));
    }
    svg.appendChild(el('text', { x: pad, y: h - 8 }, 'confidence 0'));
    svg.appendChild(el('text', { x: pad + iw - 10, y: h - 8 }, '1'));
  }

  function lines(svg, series, yMax, w, h, pad, xs) {
    // Room above the highest point for the legend.
    const iw = w - pad - 10, ih = h - pad - 40;
    const x = (i) => pad + (xs.length < 2 ? iw / 2 : i * iw / (xs.length - 1));
    const y = (v) => h - pad - Math.max(0, Math.min(1, v / yMax)) * ih;
    series.forEach((s, k) => {
      const pts = s.values.map((v, i) => `${x(i)},${y(v)}`).join(' ');
      svg.appendChild(el('polyline', { class: 'curve', points: pts, fill: 'none', stroke: s.colour,
        'stroke-width': 2 }));
      s.values.forEach((v, i) => svg.appendChild(el('circle', { cx: x(i), cy: y(v), r: 3, fill: s.colour })));
      svg.appendChild(el('text', { x: pad + 10 + k * 130, y: 16, style: `fill:${s.colour}` }, s.name));
    });
    xs.forEach((label, i) => svg.appendChild(el('text', { x: x(i) - 3, y: h - pad + 14 }, String(label))));
  }

  function curves(svg, history) {
    const w = 520, h = 260, pad = 36;
    axes(svg, w, h, pad, '');
    if (!history.length) return;
    const maxLoss = Math.max(...history.map((e) => Math.max(e.trainLoss, e.validationLoss)), 1);
    lines(svg, [
      { name: 'training loss', colour: '#1f5fbf', values: history.map((e) => e.trainLoss / maxLoss) },
      { name: 'validation loss', colour: '#c2410c', values: history.map((e) => e.validationLoss / maxLoss) },
      { name: 'validation score', colour: '#17733a', values: history.map((e) => e.validationScore) }],
      1, w, h, pad, history.map((e) => e.epoch));
    svg.appendChild(el('text', { x: 4, y: h - pad }, '0'));
    svg.appendChild(el('text', { x: 4, y: h - pad - (h - pad - 40) + 4 }, '1'));
    svg.appendChild(el('text', { x: pad + 10, y: 36 }, `(losses divided by ${maxLoss.toFixed(2)})`));
  }

  function championHistory(svg, verdicts) {
    const w = 620, h = 260, pad = 36, iw = w - pad - 30, ih = h - pad - 30;
    axes(svg, w, h, pad, 'figure');
    const figure = (v) => figureOf(v.candidate, v.report.figure);
    const values = verdicts.map(figure).filter((x) => !isNaN(x));
    const lo = Math.max(0, Math.min(...values, 1) - 0.05), hi = Math.min(1, Math.max(...values, 0) + 0.05);
    const x = (i) => pad + 12 + (verdicts.length < 2 ? iw / 2 : i * iw / (verdicts.length - 1));
    const y = (v) => h - pad - (v - lo) / Math.max(1e-9, hi - lo) * ih;
    let champion = NaN, path = '';
    verdicts.forEach((v, i) => {
      if (v.blessed) champion = figure(v);
      if (!isNaN(champion)) path += `${path ? ' L' : 'M'}${x(i)},${y(champion)}`;
    });
    if (path) svg.appendChild(el('path', { class: 'champion', d: path, fill: 'none', stroke: '#17733a',
      'stroke-width': 2 }));
    verdicts.forEach((v, i) => {
      const c = el('circle', { class: 'point', cx: x(i), cy: y(figure(v)), r: 6, stroke: '#1f5fbf',
        'stroke-width': 2, fill: v.blessed ? '#1f5fbf' : '#fff' });
      c.appendChild(el('title', {}, `${v.modelId}: ${f4(figure(v))} ${v.blessed ? 'promoted' : 'rejected'}`));
      svg.appendChild(c);
      svg.appendChild(el('text', { x: x(i) - 12, y: h - pad + 14 }, v.modelId.replace(/^.*-/, '')));
    });
    svg.appendChild(el('text', { x: 4, y: h - pad }, lo.toFixed(2)));
    svg.appendChild(el('text', { x: 4, y: h - pad - ih + 4 }, hi.toFixed(2)));
  }

  function show(verdicts, v) {
    const r = v.report, t = v.trained, fig = r.figure === 'entity_f1' ? 'entity F1' : 'macro-F1';
    $('model-id').textContent = v.modelId;
    $('decision').textContent = v.blessed ? 'PROMOTED' : 'REJECTED';
    $('decision').className = v.blessed ? 'blessed' : 'rejected';
    $('reason').textContent = v.decisionReason;
    $('policy').textContent = r.policy;
    $('deciding-rule').textContent = r.decidingRule;
    $('test-set').textContent = r.testSet;
    $('triggered-by').textContent = 'triggered by the ' + r.triggeredBy;
    $('decided-at').textContent = new Date(Number(r.decidedAtMs)).toISOString();
    const rules = $('rules').tBodies[0];
    r.rules.forEach((o) => {
      const outcome = !o.gating ? 'reported' : o.passed ? 'passed' : 'failed';
      row(rules, [o.rule, outcome, o.detail]).children[1].className = outcome;
    });
    const c = v.candidate;
    $('overall').textContent = `${fig} ${f4(figureOf(c, r.figure))}, accuracy ${f4(c.accuracy)} on ${c.examples} `
      + `examples` + (v.champion ? `; champion ${v.championModelId}: ${fig} ${f4(figureOf(v.champion, r.figure))}` : '');
    if (r.significance) {
      const s = r.significance;
      $('significance').textContent = `Difference ${f4(s.difference)}, ${(100 * s.confidence).toFixed(0)}% paired `
        + `bootstrap interval [${f4(s.lower)}, ${f4(s.upper)}] (${s.resamples} resamples, seed ${s.seed}); McNemar `
        + `p = ${f4(s.mcnemarPValue)} (${s.candidateOnlyCorrect} right only by the candidate, `
        + `${s.championOnlyCorrect} only by the champion).`;
    }
    const labels = c.perClass.map((p) => p.label);
    if (c.confusionMatrix.length === labels.length * labels.length && labels.length) {
      confusion($('confusion'), labels, c.confusionMatrix);
    } else {
      $('confusion').parentElement.hidden = true;
    }
    const per = $('per-class').tBodies[0];
    c.perClass.forEach((p) => {
      const theirs = v.champion ? v.champion.perClass.find((q) => q.label === p.label) : null;
      row(per, [p.label, f4(p.precision), f4(p.recall), f4(p.f1), theirs ? f4(theirs.f1) : '-', String(p.support)],
        [1, 2, 3, 4, 5]);
    });
    const slices = $('slices').tBodies[0];
    r.slices.forEach((s) => row(slices, [`${s.key}=${s.value}`, String(s.examples), f4(s.candidate), f4(s.champion),
      s.gated ? 'yes' : 'no (too small)'], [1, 2, 3]));
    const rob = $('robustness').tBodies[0];
    r.robustness.forEach((p) => row(rob, [p.perturbation, String(p.examples), p.examples ? pct(p.candidateFlipRate)
      : '-', p.examples && v.champion ? pct(p.championFlipRate) : '-', p.example], [1, 2, 3]));
    if (r.candidateCalibration) {
      const k = r.candidateCalibration;
      $('calibration-figures').textContent = `Temperature ${k.temperature.toFixed(3)}: expected calibration error `
        + `${f4(k.eceUncalibrated)} before, ${f4(k.ece)} after; Brier ${f4(k.brierUncalibrated)} to ${f4(k.brier)}; `
        + `log-loss ${f4(k.logLossUncalibrated)} to ${f4(k.logLoss)}.`;
      reliability($('reliability'), k);
    } else {
      $('calibration').hidden = true;
    }
    $('lineage').textContent = `Snapshot ${t.snapshotId}, ${t.trainExamples} training examples; base model `
      + `${t.model ? t.model.baseModel : '?'}` + (t.parentModelId ? `, continued from ${t.parentModelId}` : '')
      + `; best epoch ${t.bestEpoch}` + (t.snapshotTriggerReasons.length ? `; snapshot made because `
      + t.snapshotTriggerReasons.join('; ') : '') + '.';
    t.snapshotSources.forEach((s) => {
      const li = document.createElement('li');
      li.textContent = `${s.topic} partition ${s.partition}: offsets ${s.firstOffset} to ${s.lastOffset} `
        + `(${s.examples} examples)`;
      $('sources').appendChild(li);
    });
    $('hyper-parameters').textContent = JSON.stringify(t.hyperParameters || {});
    curves($('curves'), t.history);
    championHistory($('champions'), verdicts);
    verdicts.forEach((x) => {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = `?task=${encodeURIComponent(x.meta.task)}&model=${encodeURIComponent(x.modelId)}`;
      a.textContent = x.modelId;
      li.appendChild(a);
      li.appendChild(document.createTextNode(` ${x.blessed ? 'promoted' : 'rejected'}: ${x.decisionReason}`));
      $('verdicts').appendChild(li);
    });
    $('report').hidden = false;
  }

  async function load(task, model, key) {
    const res = await fetch(`/api/v1/tasks/${encodeURIComponent(task)}/evaluations`, {
      headers: key ? { 'X-API-Key': key } : {} });
    const body = await res.json();
    if (!res.ok) throw new Error(`${res.status} ${body.reason || ''}: ${body.message || ''}`);
    if (!body.length) throw new Error(`task '${task}' has no verdicts yet`);
    const v = model ? body.find((x) => x.modelId === model) : body[body.length - 1];
    if (!v) throw new Error(`task '${task}' has no verdict on '${model}'`);
    show(body, v);
  }

  $('task').value = params.get('task') || '';
  $('model').value = params.get('model') || '';
  $('which').addEventListener('submit', (e) => {
    e.preventDefault();
    const q = new URLSearchParams({ task: $('task').value });
    if ($('model').value) q.set('model', $('model').value);
    sessionStorage.setItem('finetide-key', $('key').value);
    location.search = q.toString();
  });
  if (params.get('task')) {
    load(params.get('task'), params.get('model'), sessionStorage.getItem('finetide-key')).catch((e) => {
      $('error').textContent = e.message;
      $('error').hidden = false;
    });
  }
})();
