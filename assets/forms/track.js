// The tracking page (templates/citizen/track.html), live where scripts run. Without this file
// the page reloads itself every few seconds; with it, it asks /citizen/sos/<id>/live every
// second, sending the version it shows (If-None-Match): unchanged, the answer is a bodiless 304;
// changed, the new body, put in place without reloading the page. Cancelling asks first.
(function () {
  "use strict";
  var body = document.getElementById("track-body");
  if (!body || !window.fetch) { return; }
  var url = body.getAttribute("data-live");
  var every = Number(body.getAttribute("data-poll") || "1") * 1000;
  var version = body.getAttribute("data-version");
  var closedReload = false;
  var busy = false;
  var notice = document.getElementById("track-connection");
  var lostSince = null;

  // "No connection since 19:05:42" while the refresh fails; gone once an answer comes.
  function connection(ok) {
    if (!notice) { return; }
    if (ok) {
      lostSince = null;
      notice.hidden = true;
      return;
    }
    if (lostSince) { return; }
    lostSince = new Date();
    var time = lostSince.toLocaleTimeString("en-GB", { hour12: false });
    notice.textContent = notice.getAttribute("data-since").split("%(time)s").join(time);
    notice.hidden = false;
  }

  function confirmCancel(event) {
    var form = event.target;
    if (!form || form.id !== "track-cancel-form") { return; }
    // The question in the reader's language, from the form's data-confirm (the page's template).
    if (!window.confirm(form.getAttribute("data-confirm") || "Cancel this SOS?")) {
      event.preventDefault();
      return;
    }
    var confirmed = document.createElement("input");
    confirmed.type = "hidden";
    confirmed.name = "confirmed";
    confirmed.value = "yes";
    form.appendChild(confirmed);
  }
  document.addEventListener("submit", confirmCancel, true);

  function poll() {
    if (busy || document.hidden) { return; }
    busy = true;
    fetch(url, { credentials: "same-origin", cache: "no-store",
                 headers: { "If-None-Match": '"' + version + '"', "Accept": "application/json" } })
      .then(function (response) {
        connection(response.status < 500);  // 503: the server cannot read the SOS now
        if (response.status === 401) { window.location.reload(); }  // signed out: the page says so
        if (response.status !== 200) { return null; }
        return response.json();
      })
      .then(function (data) {
        busy = false;
        if (!data || data.version === version) { return; }
        version = data.version;
        body.setAttribute("data-version", version);
        // A keyboard user's place survives the redraw: the element that had focus (by its id) has it again.
        var focused = document.activeElement && body.contains(document.activeElement) ? document.activeElement.id : "";
        body.innerHTML = data.html;  // the server's own template, escaped there
        var again = focused && document.getElementById(focused);
        if (again) { again.focus({ preventScroll: true }); }
        if (data.closed && !closedReload) {
          // Resolved or cancelled: load once more for what the page adds then (the feedback question).
          closedReload = true;
          window.location.reload();
        }
      })
      .catch(function () { busy = false; connection(false); });  // the next poll tries again
  }
  window.setInterval(poll, every);
  document.addEventListener("visibilitychange", poll);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* works without it */ });
  }
})();
