// Clientside callbacks of the control-room wall display (pages/display/wall.py). Both run in the
// browser: the wall keeps refreshing, and reports an outage, without a Dash callback round trip.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  wall: {
    // Every refresh fetches only what changed (web/display_feed.py): nothing encoded per request.
    // A failed fetch keeps what the screen shows (the watchdog reports the outage); a session
    // that ended (a revoked kiosk, a disabled account) goes to login. The map's SOS come in
    // buckets (`source.bucketed`): the feed sends the buckets this screen lacks and the keys of
    // all of them; the screen keeps the others from its last answers (`held`).
    fetchView: async function (_n, source, _received) {
      const keep = source.parts.map(() => window.dash_clientside.no_update).concat([window.dash_clientside.no_update]);
      const held = window.__wallHeld = window.__wallHeld || {have: '', buckets: {}, asked: 0, applied: 0};
      const asked = ++held.asked;
      let response;
      try {
        response = await fetch(source.url + '?have=' + encodeURIComponent(held.have),
                               {credentials: 'same-origin', cache: 'no-store', headers: {Accept: 'application/json'}});
      } catch (error) {
        return keep;
      }
      if (response.status === 401 || response.status === 403) {
        window.location.assign('/login?next=' + encodeURIComponent(window.location.pathname));
        return keep;
      }
      if (!response.ok) { return keep; }
      const body = await response.json();
      window.__wallAnsweredAt = Date.now();  // the server answered: what it holds is current
      if (asked < held.applied) { return keep; }  // a later refresh's answer is already on screen
      let buckets = null;
      const layer = body.parts[source.bucketed];
      if (layer) {
        buckets = {};
        for (const key of layer.keys) {
          buckets[key] = key in layer.buckets ? layer.buckets[key] : held.buckets[key];
          if (buckets[key] === undefined) {  // never expected: start again with the whole wall
            held.have = '';
            return keep;
          }
        }
      }
      held.applied = asked;
      held.have = body.stamp.have;
      if (buckets) { held.buckets = buckets; }
      return source.parts.map(function (part) {
        if (part === source.bucketed) {
          return buckets ? [].concat(...layer.keys.map((key) => buckets[key])) : window.dash_clientside.no_update;
        }
        return part in body.parts ? body.parts[part] : window.dash_clientside.no_update;
      }).concat([body.stamp]);
    },

    // The watchdog needs neither the server nor the database: it notices refreshes going unanswered,
    // greys the tiles and says how long the outage has lasted; it also ticks the clock and the
    // timers. `source` says how often data should arrive, the time zone and the wall's element id.
    watchdog: function (_tick, received, source) {
      const now = Date.now();
      // The words, in the page's language (components/wall.wall_words); `{}` is where a value goes.
      const say = (key, value) => ((source.words || {})[key] || '{}').replace('{}', value === undefined ? '' : value);
      const fmt = (ms) => {
        const s = Math.floor(ms / 1000), h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60);
        return (h ? h + ' h ' : '') + (h || m ? m + ' min ' : '') + (s % 60) + ' s';
      };
      const clock = new Date(now).toLocaleTimeString('en-GB', {hour: '2-digit', minute: '2-digit', second: '2-digit',
                                                               hour12: false, timeZone: source.time_zone});
      const wall = document.getElementById(source.wall);
      const last = (window.__wallLast && window.__wallLast.key === (received && received.generated_at))
        ? window.__wallLast : {key: received && received.generated_at, at: now};
      window.__wallLast = last;
      // An outage is refreshes not answered. An unchanged view keeps its time (each worker
      // builds it again only every display_cache_seconds, or when an SOS or unit changes), so
      // the age counts from the later of new data and the last answer.
      const age = now - Math.max(last.at, window.__wallAnsweredAt || 0);
      // Timers tick here, from the start times the server sent; data times say when the data
      // was last confirmed current.
      document.querySelectorAll('.wall-timer').forEach(function (el) {
        const elapsed = Math.max(0, now - Number(el.dataset.since));
        const s = Math.floor(elapsed / 1000);
        el.textContent = s < 60 ? s + ' s' : (s < 3600 ? Math.floor(s / 60) + ' min ' + String(s % 60).padStart(2, '0') + ' s'
                                                : Math.floor(s / 3600) + ' h ' + String(Math.floor(s % 3600 / 60)).padStart(2, '0') + ' min');
        if (el.dataset.lateAfter) { el.classList.toggle('wall-bad', s > Number(el.dataset.lateAfter)); }
      });
      if (received && received.generated_at) {
        const stampText = say('data', new Date(received.generated_at).toLocaleTimeString('en-GB',
          {hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZone: source.time_zone}));
        document.querySelectorAll('#' + source.wall + ' .wall-time').forEach(function (el) { el.textContent = stampText; });
      }
      const stale = !received || age > 3 * source.refresh_ms;
      if (wall) { wall.classList.toggle('wall-stale', stale); }
      if (!stale) { return [clock, '', 'wall-outage-hidden']; }
      const text = received ? say('no_data', fmt(age)) : say('waiting');
      return [clock, text, 'wall-outage'];
    },
  },
});
