// What a person sees when HealthFirst cannot answer (the server answers 503 during a database
// outage; a network failure answers nothing). Every Dash page's requests go through fetch: a
// failed automatic refresh shows a small "No connection since HH:MM:SS" notice and the page keeps
// its last data; a failed button press says plainly that it was NOT saved. Both clear themselves
// with the next answer that gets through. Announced to screen readers without moving focus.
(function () {
  "use strict";
  var CALLBACK = "/_dash-update-component";
  var LIVE = "/_live/";  // a live view's version poll (assets/live.js): always a refresh
  // A person's action that a page's script posts itself (assets/queue.js: Accept / Decline) marks
  // its request with this header: watched like a button press of a callback.
  var ACTION_HEADER = "X-HealthFirst-Action";
  var downSince = null;

  // The words, in the page's language, from the frame (pages/shell.py: data-connection-words).
  function words() {
    var holder = document.querySelector("[data-connection-words]");
    try { return JSON.parse(holder.getAttribute("data-connection-words")) || {}; } catch (e) { return {}; }
  }

  function hhmmss(date) {
    return date.toLocaleTimeString("en-GB", { hour12: false });
  }

  function element(id, role, className) {
    var el = document.getElementById(id);
    if (!el) {
      el = document.createElement("div");
      el.id = id;
      el.setAttribute("role", role);
      el.className = className;
      document.body.appendChild(el);
    }
    return el;
  }

  // A refresh is a request set off only by timers (dcc.Interval); anything else is a person acting.
  function isRefresh(body) {
    try {
      var changed = JSON.parse(body).changedPropIds || [];
      return changed.length > 0 && changed.every(function (p) { return /\.n_intervals$/.test(p); });
    } catch (e) {
      return false;
    }
  }

  function isAction(init) {
    var headers = init && init.headers;
    if (!headers) { return false; }
    return typeof headers.has === "function" ? headers.has(ACTION_HEADER) : ACTION_HEADER in headers;
  }

  function showOffline() {
    if (downSince === null) { downSince = new Date(); }
    var notice = element("connection-status", "status", "connection-status");
    var said = words().offline ||
      "No connection since %(time)s. Showing the last data; it updates by itself when the connection returns.";
    notice.textContent = said.replace("%(time)s", hhmmss(downSince));
    notice.hidden = false;
  }

  function showNotSaved(message) {
    var alert = element("connection-not-saved", "alert", "connection-not-saved");
    alert.textContent = (message || words().not_saved ||
                         "Not saved: HealthFirst could not be reached. Nothing was changed.") +
      " (" + hhmmss(new Date()) + ")";
    alert.hidden = false;
  }

  function recovered() {
    downSince = null;
    ["connection-status", "connection-not-saved"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el) { el.hidden = true; }
    });
  }

  function failed(refresh, response) {
    showOffline();
    if (refresh) { return; }
    if (response && response.status === 503) {
      response.clone().json().then(function (body) { showNotSaved(body && body.message); },
                                   function () { showNotSaved(); });
    } else {
      showNotSaved();
    }
  }

  var originalFetch = window.fetch.bind(window);
  window.fetch = function (input, init) {
    var url = typeof input === "string" ? input : (input && input.url) || "";
    var live = url.indexOf(LIVE) !== -1;
    var action = isAction(init);
    if (!action && !live && url.indexOf(CALLBACK) === -1) { return originalFetch(input, init); }
    var refresh = live || (!action && isRefresh(init && init.body));
    return originalFetch(input, init).then(function (response) {
      if (response.status === 503 || response.status >= 502) { failed(refresh, response); }
      else if (response.ok || response.status === 204) { recovered(); }
      return response;
    }, function (error) {
      failed(refresh, null);
      throw error;
    });
  };
})();
