// Clientside callbacks of the hospital's SOS queue (pages/hospital/queue.py).

// "12 s", "3 min 05 s", "1 h 02 min": the words of components/format.duration.
const queueDuration = (s) => {
  const two = (n) => String(n).padStart(2, "0");
  return s < 60 ? `${s} s`
    : s < 3600 ? `${Math.floor(s / 60)} min ${two(s % 60)} s`
      : `${Math.floor(s / 3600)} h ${two(Math.floor((s % 3600) / 60))} min`;
};
// The page's words in its language (components/dispatch.queue_words, on the waiting list as
// `data-queue-words`); `{}` is where a value goes.
let queueWordsRead = null;
const queueWords = () => {
  if (!queueWordsRead) {
    const holder = document.querySelector('[data-queue-words]');
    queueWordsRead = holder ? JSON.parse(holder.dataset.queueWords) : null;
  }
  return queueWordsRead || {};
};
const queueSay = (key, value) => (queueWords()[key] || '{}').replace('{}', value);
// A unit's position this old is stale (db/positions.STALE_AFTER): its age is greyed.
const QUEUE_STALE_S = 120;
const queueAge = (seconds) => queueSay('position', queueDuration(Math.max(0, seconds))) +
  (seconds > QUEUE_STALE_S ? ' ' + queueWords().stale_mark : '');
// When each unit of the hospital was where its marker is (server ms), for ticking the ages.
const queueUnitsSince = {};
// Where Accept / Decline are posted (web/queue_answer.py: components/dispatch.ANSWER_URL).
const QUEUE_ANSWER_URL = '/_queue/answer';
// Dash's CSRF token (its cookie), which the answer route checks as a callback's.
const queueCsrf = () => {
  const match = document.cookie.match(/(?:^|;\s*)_csrf_token=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : '';
};

window.dash_clientside = Object.assign({}, window.dash_clientside, {
  queue: {
    // Play the alert when an SOS id appears that this screen has not shown before; returns every
    // id shown so far. `audioId` is the page's audio element (its id, passed in by the callback).
    soundForNewSos: function (current, soundOn, seen, audioId) {
      seen = seen || [];
      const fresh = (current || []).filter((id) => !seen.includes(id));
      if (fresh.length && soundOn) {
        const audio = document.getElementById(audioId);
        if (audio) {
          audio.currentTime = 0;
          audio.play().catch(() => {});
        }
      }
      return Array.from(new Set(seen.concat(current || [])));
    },

    // Draw the waiting cards from the rows the server sent (components/dispatch.rows_update):
    // `update.waiting` / `update.arrived` are {order: [ids], rows: {id: row}, full?}, holding only
    // the rows new or changed. A card whose row did not change is left alone, the same DOM node in
    // the same place, so the keyboard focus on its buttons survives every refresh; Dash's own
    // rendering would re-mount the whole list on any change. A button press goes into the page's
    // press store (`pressId`), which `answer` below posts: a press sends one SOS id, never the ids
    // of every button on the page.
    drawCards: function (update, listId, arrivedId, pressId) {
      if (!update) {
        return window.dash_clientside.no_update;
      }
      const element = (tag, className, children, attrs) => {
        const node = document.createElement(tag);
        if (className) {
          node.className = className;
        }
        Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
        (children || []).forEach((child) => {
          if (child !== null && child !== undefined) {
            node.append(child);
          }
        });
        return node;
      };
      // The sketch map (components/minimap.py computed it): the hospital (H) in the middle, the SOS
      // at its true bearing and distance, north up, a dashed ring at a round distance; its words
      // are the image's name for a screen reader.
      const svg = (tag, attrs, text) => {
        const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
        Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
        if (text) {
          node.textContent = text;
        }
        return node;
      };
      const miniMap = (sketch) => {
        if (!sketch) {
          return null;
        }
        const [x, y] = sketch.p;
        const map = svg('svg', {viewBox: '0 0 120 120', width: '120', height: '120', role: 'img',
          'aria-label': sketch.say, class: 'queue-sketch flex-shrink-0', focusable: 'false'});
        [
          svg('rect', {x: 0.5, y: 0.5, width: 119, height: 119, rx: 6, fill: '#f1f3f5', stroke: '#adb5bd'}),
          svg('circle', {cx: 60, cy: 60, r: sketch.ring, fill: 'none', stroke: '#6c757d', 'stroke-dasharray': '3 3'}),
          svg('text', {x: 60, y: Math.min(117, 60 + sketch.ring + 11), 'text-anchor': 'middle', 'font-size': 10,
            'paint-order': 'stroke', stroke: '#f1f3f5', 'stroke-width': 3,
            fill: '#343a40'}, sketch.scale),
          svg('line', {x1: 60, y1: 60, x2: x, y2: y, stroke: '#495057', 'stroke-width': 1.5}),
          svg('rect', {x: 53, y: 53, width: 14, height: 14, rx: 2, fill: '#087f5b'}),
          svg('text', {x: 60, y: 64, 'text-anchor': 'middle', 'font-size': 11, 'font-weight': 700, fill: '#fff'}, 'H'),
          svg('circle', {cx: x, cy: y, r: 6, fill: '#e03131', stroke: '#fff', 'stroke-width': 2, class: 'queue-sketch-sos'}),
          svg('path', {d: 'M110 5 L115 17 L110 14 L105 17 Z', fill: '#212529'}),
          svg('text', {x: 110, y: 27, 'text-anchor': 'middle', 'font-size': 10, 'font-weight': 700, fill: '#212529'}, 'N'),
        ].forEach((part) => map.append(part));
        return map;
      };
      const words = queueWords();
      const card = (row) => element('div', 'card mb-2 queue-card' + (row.new ? ' sos-new' : ''), [
        element('div', 'card-body d-flex gap-3 align-items-start', [element('div', 'flex-grow-1', [
          element('div', '', [
            element('span', 'fs-4 fw-bold me-2', [row.number]),
            element('span', `badge bg-${row.color} fs-6 me-2`, [row.priority]),
            row.new ? element('span', 'badge bg-danger fs-6 me-2', [words.new]) : null,
            row.unanswered ? element('span', 'badge bg-dark fs-6', [words.unanswered]) : null,
          ]),
          row.by_officer ? element('div', 'badge bg-primary fs-6 mt-1', [words.by_officer]) : null,
          element('div', 'fs-5 mt-1', [row.type]),
          // Who and where: a call-back number and the place in words a driver knows.
          row.caller ? element('div', 'fs-5 queue-caller', [words.caller + ' ', element('strong', '', [row.caller]), ' · ',
            row.tel ? element('a', 'fw-bold', [row.phone], {href: row.tel}) : element('span', 'text-muted', [words.no_phone])]) : null,
          element('div', 'queue-place', [element('span', 'fw-semibold', [row.place || words.no_place]),
            row.geo ? ' · ' : null, row.geo ? element('a', '', [words.open_maps], {href: row.geo}) : null,
            row.map ? ' · ' : null,
            row.map ? element('a', '', [words.map_browser], {href: row.map, target: '_blank', rel: 'noopener'}) : null]),
          element('div', 'text-muted small', [row.point]),
          element('div', '', [row.where, element(
            'span', 'fw-bold queue-waiting ' + (row.late ? 'text-danger' : 'text-body'), [row.waited],
            {'data-since': row.since, 'data-target': row.target})]),
          row.note ? element('div', 'text-muted', [queueSay('note', row.note)]) : null,
          element('div', 'mt-2', [
            element('button', 'btn btn-success btn-lg me-2 px-5', [words.accept],
              {type: 'button', 'data-press': 'accept', 'data-sos': row.id}),
            element('button', 'btn btn-outline-secondary btn-lg', [words.decline],
              {type: 'button', 'data-press': 'decline', 'data-sos': row.id}),
          ]),
        ]), miniMap(row.sketch)]),
      ], {id: 'queue-' + row.id});
      const draw = (box, part, empty) => {
        if (!box || !part) {
          return;
        }
        if (!box.dataset.wired) {
          box.dataset.wired = '1';
          box.addEventListener('click', (event) => {
            const button = event.target.closest('button[data-press]');
            if (button && box.contains(button)) {
              window.dash_clientside.set_props(pressId, {data: {
                kind: button.dataset.press, sos: Number(button.dataset.sos), at: Date.now()}});
            }
          });
        }
        if (part.full) {
          box.replaceChildren();
        }
        const wanted = new Set(part.order.map((id) => 'queue-' + id));
        Array.from(box.children).forEach((node) => {
          if (!wanted.has(node.id)) {
            node.remove();
          }
        });
        const rows = part.rows || {};
        let previous = null;
        part.order.forEach((id) => {
          let node = document.getElementById('queue-' + id);
          if (node && node.parentNode !== box) {
            node.remove();  // moved between the lists
            node = null;
          }
          if (rows[id]) {
            const fresh = card(rows[id]);
            if (node) {
              node.replaceWith(fresh);
            }
            node = fresh;
          }
          if (!node) {
            return;  // a row the screen never got: drawn on the next full answer
          }
          const place = previous ? previous.nextSibling : box.firstChild;
          if (place !== node) {
            box.insertBefore(node, place);
          }
          previous = node;
        });
        if (!part.order.length && empty) {
          box.replaceChildren(element('p', 'fs-5 text-muted',
            [words.empty], {id: empty}));
        }
      };
      const list = document.getElementById(listId);
      draw(list, update.waiting, list && list.dataset.emptyId);
      draw(document.getElementById(arrivedId), update.arrived, null);
      return Date.now();
    },

    // Accept / Decline pressed (drawCards put {kind, sos, at} in the press store): posted to the
    // queue's answer route (web/queue_answer.py) with Dash's CSRF token, not as a Dash callback:
    // in a race sixteen hospitals press at once. The answer goes where every action of the page
    // writes: the message area (text, colour, open) and the "changed" store, bumped so the queue
    // redraws at once. When HealthFirst cannot be reached nothing changes here:
    // assets/connection.js says "Not saved" (the request is marked as a person's action for it).
    // Signed out: to the login page, and back here after.
    answer: async function (press) {
      const skip = window.dash_clientside.no_update;
      const unchanged = [skip, skip, skip, skip];
      if (!press || !press.kind) {
        return unchanged;
      }
      let response;
      let said = null;
      try {
        response = await fetch(QUEUE_ANSWER_URL, {
          method: 'POST',
          credentials: 'same-origin',
          headers: {'Content-Type': 'application/json', 'X-CSRFToken': queueCsrf(), 'X-HealthFirst-Action': 'press'},
          body: JSON.stringify({kind: press.kind, sos: press.sos}),
        });
        said = await response.json();
      } catch (error) {
        return unchanged;
      }
      if (response.status === 401) {
        window.location.assign('/login?next=' + encodeURIComponent(window.location.pathname));
        return unchanged;
      }
      if (response.status >= 500 || !said || !said.message) {
        return unchanged;
      }
      return [said.message, said.color || 'danger', true, response.ok ? Date.now() : skip];
    },

    // Keep the waiting times ticking between redraws (an unchanged refresh draws nothing): each
    // `.queue-waiting` span holds when its SOS was sent (`data-since`, ms) and the target after
    // which it turns red (`data-target`, s); `serverNow` is the server's clock at its last answer,
    // so a browser clock that is off does not matter. Same words as components/format.duration.
    tickWaiting: function (serverNow) {
      if (!serverNow) {
        return window.dash_clientside.no_update;
      }
      document.querySelectorAll(".queue-waiting[data-since]").forEach((span) => {
        const waited = Math.max(0, Math.floor((serverNow - Number(span.dataset.since)) / 1000));
        const late = waited > Number(span.dataset.target);
        span.textContent = queueSay('waiting', queueDuration(waited));
        span.classList.toggle("text-danger", late);
        span.classList.toggle("text-body", !late);
      });
      // The units' positions age too ("position 40 s ago"), between two moves of theirs.
      document.querySelectorAll("[data-unit-age]").forEach((span) => {
        const since = queueUnitsSince[span.dataset.unitAge];
        if (since !== undefined) {
          const age = Math.floor((serverNow - since) / 1000);
          span.textContent = queueAge(age);
          span.classList.toggle("text-muted", age > QUEUE_STALE_S);
        }
      });
      return window.dash_clientside.no_update;
    },

    // Where the hospital's units are (components/dispatch.units_data), drawn into the units' map
    // and list and into each held card's map (its layer's id names the SOS and the unit): only
    // these layers change, so a unit on the move never redraws a card, its map or its buttons.
    // Returns the children of the units' layer, of the units' list, of each held card's unit
    // layer and of each held card's "how far" line.
    drawUnits: function (data, heldIds, etaIds) {
      const skip = window.dash_clientside.no_update;
      if (!data) {
        return [skip, skip, heldIds.map(() => skip), etaIds.map(() => skip)];
      }
      const leaflet = (type, props) => ({type, namespace: 'dash_leaflet', props});
      const tag = (type, props) => ({type, namespace: 'dash_html_components', props});
      const marker = (unit) => leaflet('CircleMarker', {
        center: [unit.lat, unit.lon], radius: 9, color: unit.colour, fill: true,
        fillOpacity: unit.stale ? 0.35 : 0.8,
        children: leaflet('Tooltip', {children: `${unit.call} · ${unit.status}` + (unit.stale ? ' · ' + queueWords().stale : '')}),
      });
      const byId = {};
      data.units.forEach((unit) => {
        byId[unit.id] = unit;
        queueUnitsSince[String(unit.id)] = unit.since;
      });
      const age = (unit) => tag('Span', {className: 'unit-age' + (unit.stale ? ' text-muted' : ''),
        'data-unit-age': String(unit.id), children: queueAge(Math.floor((data.at - unit.since) / 1000))});
      const home = data.hospital ? [leaflet('CircleMarker', {
        center: [data.hospital[0], data.hospital[1]], radius: 11, color: '#20c997', fill: true, fillOpacity: 0.6,
        children: leaflet('Tooltip', {children: data.hospital[2]})})] : [];
      const list = data.units.length ? data.units.map((unit) => tag('Li', {
        className: unit.stale ? 'text-muted crew-stale' : '', 'data-unit': unit.call,
        children: [tag('Strong', {children: unit.call}), ` · ${unit.status} · `, age(unit)]}))
        : [tag('Li', {className: 'text-muted',
          children: queueWords().no_units})];
      const held = heldIds.map((id) => {
        const unit = byId[id.unit];
        const far = data.held[String(id.sos)];
        if (!unit) {
          return [];
        }
        const drawn = [marker(unit)];
        if (far) {
          drawn.push(leaflet('Polyline', {positions: [[unit.lat, unit.lon], far.to], color: '#495057',
            dashArray: '6 8', weight: 3}));
        }
        return drawn;
      });
      const etas = etaIds.map((id) => {
        const far = data.held[String(id.sos)];
        return far ? `${far.text} · ` : '';
      });
      return [home.concat(data.units.map(marker)), list, held, etas];
    },
  },
});
