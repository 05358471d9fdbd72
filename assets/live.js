// A live view's timed refresh, cheap when nothing changed (web/live.py). On its timer the page
// asks GET /_live/<view> for the version of what it shows (~100 bytes). Only a version other
// than the one it holds sets the page's live store, which runs its Dash refresh callback;
// otherwise the page writes "last updated" itself, from the server's clock. A failed poll keeps
// what the page shows (assets/connection.js says "No connection since …"); a signed-out session
// goes to the login page.
(function () {
  'use strict';
  var formats = {};
  // The page is being left (a link, the log-out form): a poll answered 401 meanwhile must not
  // send the browser elsewhere than where the person is going.
  var leaving = false;
  window.addEventListener('beforeunload', function () { leaving = true; });
  window.addEventListener('pagehide', function () { leaving = true; });

  function clock(ms, zone) {
    if (!formats[zone]) {
      formats[zone] = new Intl.DateTimeFormat('en-GB', {
        timeZone: zone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23'});
    }
    return formats[zone].format(new Date(ms));
  }

  // The same element components/cards.py `last_updated` draws.
  function updatedLine(source, ms) {
    return {namespace: 'dash_html_components', type: 'Small',
            props: {children: source.updated.replace('{time}', clock(ms, source.zone)),
                    className: 'text-muted last-updated', id: source.updated_id}};
  }

  // [the new version or no_update, the "last updated" line, the server's clock in ms], or null
  // when there is nothing to show (the page keeps what it shows).
  async function ask(source, held) {
    if (!source || !source.url) { return null; }
    var response;
    try {
      response = await fetch(source.url, {credentials: 'same-origin', cache: 'no-store',
                                          headers: {Accept: 'application/json'}});
    } catch (error) {
      return null;
    }
    if (response.status === 401) {
      if (!leaving) { window.location.assign('/login?next=' + encodeURIComponent(window.location.pathname)); }
      return null;
    }
    if (!response.ok) { return null; }
    var body = await response.json();
    var keep = window.dash_clientside.no_update;
    return [body.v === held ? keep : body.v, updatedLine(source, body.now), body.now];
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    live: {
      // Outputs: the live store, the "last updated" line.
      check: async function (_n, source, held) {
        var answer = await ask(source, held);
        var keep = window.dash_clientside.no_update;
        return answer ? answer.slice(0, 2) : [keep, keep];
      },
      // Outputs: the live store, the "last updated" line, the server's clock (the queue's
      // waiting times tick from it).
      checkWithClock: async function (_n, source, held) {
        var answer = await ask(source, held);
        var keep = window.dash_clientside.no_update;
        return answer || [keep, keep, keep];
      }
    }
  });
})();
