// Clientside callbacks of the hospital's SOS queue (pages/hospital/queue.py).
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
    // press store (`pressId`), the one thing the server's answer callback listens to, so a press
    // sends one SOS id, never the ids of every button on the page.
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
      const card = (row) => element('div', 'card mb-2 queue-card' + (row.new ? ' sos-new' : ''), [
        element('div', 'card-body', [
          element('div', '', [
            element('span', 'fs-4 fw-bold me-2', [row.number]),
            element('span', `badge bg-${row.color} fs-6 me-2`, [row.priority]),
            row.new ? element('span', 'badge bg-danger fs-6 me-2', ['NEW']) : null,
            row.unanswered ? element('span', 'badge bg-dark fs-6', ['UNANSWERED']) : null,
          ]),
          row.by_officer ? element('div', 'badge bg-primary fs-6 mt-1', ['Requested by the health officer']) : null,
          element('div', 'fs-5 mt-1', [row.type]),
          // Who and where: a call-back number and the place in words a driver knows.
          row.caller ? element('div', 'fs-5 queue-caller', ['Caller: ', element('strong', '', [row.caller]), ' · ',
            row.tel ? element('a', 'fw-bold', [row.phone], {href: row.tel}) : element('span', 'text-muted', ['no phone number given'])]) : null,
          element('div', 'queue-place', [element('span', 'fw-semibold', [row.place || 'No known place nearby']),
            row.geo ? ' · ' : null, row.geo ? element('a', '', ['open in maps app'], {href: row.geo}) : null,
            row.map ? ' · ' : null,
            row.map ? element('a', '', ['map in browser'], {href: row.map, target: '_blank', rel: 'noopener'}) : null]),
          element('div', 'text-muted small', [row.point]),
          element('div', '', [row.where, element(
            'span', 'fw-bold queue-waiting ' + (row.late ? 'text-danger' : 'text-body'), [row.waited],
            {'data-since': row.since, 'data-target': row.target})]),
          row.note ? element('div', 'text-muted', ['Note: ' + row.note]) : null,
          element('div', 'mt-2', [
            element('button', 'btn btn-success btn-lg me-2 px-5', ['Accept'],
              {type: 'button', 'data-press': 'accept', 'data-sos': row.id}),
            element('button', 'btn btn-outline-secondary btn-lg', ['Decline'],
              {type: 'button', 'data-press': 'decline', 'data-sos': row.id}),
          ]),
        ]),
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
            ['No SOS waiting. New ones appear here by themselves.'], {id: empty}));
        }
      };
      const list = document.getElementById(listId);
      draw(list, update.waiting, list && list.dataset.emptyId);
      draw(document.getElementById(arrivedId), update.arrived, null);
      return Date.now();
    },

    // Keep the waiting times ticking between redraws (an unchanged refresh draws nothing): each
    // `.queue-waiting` span holds when its SOS was sent (`data-since`, ms) and the target after
    // which it turns red (`data-target`, s); `serverNow` is the server's clock at its last answer,
    // so a browser clock that is off does not matter. Same words as components/format.duration.
    tickWaiting: function (serverNow) {
      if (!serverNow) {
        return window.dash_clientside.no_update;
      }
      const two = (n) => String(n).padStart(2, "0");
      const words = (s) => (s < 60 ? `${s} s`
        : s < 3600 ? `${Math.floor(s / 60)} min ${two(s % 60)} s`
          : `${Math.floor(s / 3600)} h ${two(Math.floor((s % 3600) / 60))} min`);
      document.querySelectorAll(".queue-waiting[data-since]").forEach((span) => {
        const waited = Math.max(0, Math.floor((serverNow - Number(span.dataset.since)) / 1000));
        const late = waited > Number(span.dataset.target);
        span.textContent = `waiting ${words(waited)}`;
        span.classList.toggle("text-danger", late);
        span.classList.toggle("text-body", !late);
      });
      return window.dash_clientside.no_update;
    },
  },
});
