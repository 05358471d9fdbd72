// The SOS page (templates/citizen/sos.html), improved where scripts run. The form works without
// this file; with it:
// - the browser's location fills the hidden latitude/longitude fields; while it is being found
//   the typed-place fallback is folded, and it opens again (above the SOS button) as soon as the
//   browser gives no location (denied, unavailable, timed out, or no geolocation at all);
// - a typed landmark or coordinates are said back in words before sending ("Using: near
//   Indiranagar Metro", from /citizen/place);
// - pressing SOS sends the form in the background and opens the tracking page;
// - with no connection, the SOS is kept on this phone (localStorage) and sent by itself when the
//   connection returns, with the same idempotency key: the server answers a repeat with the SOS
//   it already made, so it is never sent twice;
// - the service worker (/sw.js) keeps this page for opening offline.
// Every word shown comes from the page's JSON block #sos-words, in the reader's language.
(function () {
  "use strict";
  var form = document.getElementById("sos-form");
  if (!form || !window.fetch) { return; }
  var STORE = "healthfirst.pending-sos";
  var RETRY_MS = 15000;
  var ASK_MS = 8000;  // no location after this long: the typed place opens
  var user = form.getAttribute("data-user");
  var button = document.getElementById("sos-button");
  var result = document.getElementById("sos-result");
  var offline = document.getElementById("sos-offline");
  var geoStatus = document.getElementById("sos-geo-status");
  var fallback = document.getElementById("sos-location-fallback");
  var placeWords = document.getElementById("sos-place-words");
  var WORDS = {};
  try { WORDS = JSON.parse(document.getElementById("sos-words").textContent); } catch (e) { WORDS = {}; }
  function word(name, values) {
    var text = WORDS[name] || "";
    Object.keys(values || {}).forEach(function (key) { text = text.split("%(" + key + ")s").join(values[key]); });
    return text;
  }
  var FIELDS = ["coordinates", "landmark", "emergency_type", "note", "callback_phone", "latitude", "longitude", "accuracy", "key"];
  var sending = false;

  function byName(name) { return form.elements[name]; }

  function newKey() {
    if (window.crypto && window.crypto.getRandomValues) {
      var bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);
      return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    }
    return String(Date.now()) + Math.random().toString(36).slice(2);
  }
  // A page kept by the service worker holds an old key: each opened page gets its own.
  byName("key").value = newKey();

  // ---- where the person is ----
  function say(text, className, id) {
    geoStatus.textContent = "";
    var box = document.createElement("div");
    box.className = "alert mb-0 py-2 " + className;
    box.id = id;
    box.textContent = text;
    geoStatus.appendChild(box);
  }
  function openFallback() {
    fallback.open = true;
  }
  function noLocation() {
    if (byName("latitude").value) { return; }
    say(word("missing"), "alert-warning", "sos-location-missing");
    openFallback();
  }
  function fold() {
    // Folded while the browser looks (its summary still opens it), unless something is typed or refused.
    if (!byName("latitude").value && !byName("coordinates").value && !byName("landmark").value &&
        !result.textContent.trim() && !document.getElementById("sos-location-missing")) {
      fallback.open = false;
    }
  }
  function locate() {
    geoStatus.textContent = word("finding");
    // A prompt nobody answers gives no error at all: after a few seconds, offer typing anyway.
    window.setTimeout(noLocation, ASK_MS);
    navigator.geolocation.watchPosition(function (position) {
      var c = position.coords;
      byName("latitude").value = c.latitude;
      byName("longitude").value = c.longitude;
      byName("accuracy").value = c.accuracy || "";
      var place = c.latitude.toFixed(5) + ", " + c.longitude.toFixed(5) +
        (c.accuracy ? " (" + word("within", { metres: Math.round(c.accuracy) }) + ")" : "");
      say(word("found", { place: place }), "alert-success", "sos-location-ok");
    }, noLocation, { enableHighAccuracy: true, maximumAge: 30000, timeout: 20000 });
  }
  if (!navigator.geolocation) {
    noLocation();
  } else if (navigator.permissions && navigator.permissions.query) {
    // Refused already: the typed place stays open (no folding first); otherwise fold and look.
    navigator.permissions.query({ name: "geolocation" }).then(function (state) {
      if (state.state === "denied") { noLocation(); return; }
      fold();
      locate();
    }).catch(function () { fold(); locate(); });
  } else {
    fold();
    locate();
  }

  // ---- a typed place, said back in words before sending ----
  var lookup = null;
  var asked = "";
  function sayPlace(text, bad) {
    placeWords.textContent = text;
    placeWords.className = "sos-place-words mb-0" + (bad ? " field-error" : " fw-semibold");
  }
  function describeTyped() {
    var landmark = byName("landmark").value.trim();
    var coordinates = byName("coordinates").value.trim();
    var query = "";
    // Typed coordinates win over a landmark, as when sending (db/places.sos_location).
    if (coordinates) {
      query = "coordinates=" + encodeURIComponent(coordinates);
    } else if (landmark) {
      query = "q=" + encodeURIComponent(landmark);
    }
    if (!query) { asked = ""; sayPlace("", false); return; }
    if (query === asked) { return; }
    asked = query;
    sayPlace(word("checking"), false);
    fetch("/citizen/place?" + query, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (query !== asked) { return; }  // the person typed on meanwhile
        sayPlace(data.ok ? data.using : data.message, !data.ok);
      })
      .catch(function () { if (query === asked) { asked = ""; sayPlace("", false); } });
  }
  ["landmark", "coordinates"].forEach(function (name) {
    byName(name).addEventListener("input", function () {
      window.clearTimeout(lookup);
      lookup = window.setTimeout(describeTyped, 500);
    });
    byName(name).addEventListener("change", describeTyped);
  });
  if (byName("landmark").value || byName("coordinates").value) { describeTyped(); }

  // ---- messages ----
  function showError(message, field) {
    result.textContent = "";
    var box = document.createElement("div");
    box.className = "alert alert-danger fs-5 mb-2";
    box.id = "sos-error";
    box.textContent = message;
    result.appendChild(box);
    ["coordinates", "landmark"].forEach(function (name) {
      byName(name).classList.toggle("is-invalid", name === field);
    });
    if (field === "coordinates" || field === "landmark") { openFallback(); }
    if (field && byName(field)) { byName(field).focus(); } else { result.scrollIntoView(); }
  }
  var offlineText = document.getElementById("sos-offline-text").textContent;
  function showOffline(show, text, title) {
    offline.hidden = !show;
    document.getElementById("sos-offline-text").textContent = text || offlineText;
    document.getElementById("sos-offline-title").textContent = title || word("no_connection");
  }
  function busy(on) {
    sending = on;
    button.setAttribute("aria-busy", on ? "true" : "false");
    button.querySelector(".sos-button-hint").textContent = on ? word("sending") : word("hint");
  }

  // ---- the SOS kept on this phone ----
  function pending() {
    try {
      var kept = JSON.parse(window.localStorage.getItem(STORE) || "null");
      return kept && kept.user === user ? kept : null;
    } catch (e) { return null; }
  }
  function keep(fields) {
    try { window.localStorage.setItem(STORE, JSON.stringify({ user: user, fields: fields, at: Date.now() })); }
    catch (e) { /* private mode: it stays in this page only */ }
  }
  function forget() { try { window.localStorage.removeItem(STORE); } catch (e) { /* nothing kept */ } }

  function fieldsOfForm() {
    var fields = {};
    FIELDS.forEach(function (name) { fields[name] = byName(name) ? byName(name).value : ""; });
    return fields;
  }

  function post(fields, csrf) {
    var body = new URLSearchParams();
    FIELDS.forEach(function (name) { body.append(name, fields[name] || ""); });
    body.append("csrf_token", csrf);
    return fetch("/citizen", {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { "Accept": "application/json" },
    });
  }

  function freshToken() {
    return fetch("/citizen/token", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error("token " + r.status); }
        return r.json();
      }).then(function (data) { return data.csrf; });
  }

  // Send `fields`; `kept`: they come from this phone's store (the token may be old: ask anew).
  function send(fields, kept) {
    if (sending) { return; }
    busy(true);
    var token = kept ? freshToken() : Promise.resolve(byName("csrf_token").value);
    token.then(function (csrf) { return post(fields, csrf); })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") < 0) { throw new Error("not an answer: " + response.status); }
        return response.json().then(function (data) { return { status: response.status, data: data }; });
      })
      .then(function (answer) {
        busy(false);
        if (answer.status >= 500) {
          // Not saved (the database is unreachable: auth/outage.py answers 503): like being
          // offline, the SOS is kept on this phone and sent again until it is saved.
          keep(fields);
          showOffline(true, word("server_down"), word("not_saved"));
          return;
        }
        if (answer.data.ok) {
          forget();
          window.location.assign(answer.data.url);
          return;
        }
        if (answer.data.csrf && !fields.__again) {
          // The page was open longer than its form lives: send once more with the new token.
          byName("csrf_token").value = answer.data.csrf;
          fields.__again = true;
          send(fields, false);
          return;
        }
        forget();  // refused (bad input, a replayed key with other content): keeping it would not help
        showOffline(false);
        showError(answer.data.message, answer.data.field);
      })
      .catch(function () {
        busy(false);
        keep(fields);
        showOffline(true);
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var kept = pending();
    send(kept ? kept.fields : fieldsOfForm(), Boolean(kept));
  });

  function retry() {
    var kept = pending();
    if (kept && navigator.onLine !== false) { send(kept.fields, true); }
  }
  window.addEventListener("online", retry);
  window.setInterval(retry, RETRY_MS);
  if (pending()) {
    showOffline(true, word("kept"));
    retry();
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* works without it */ });
  }
})();
