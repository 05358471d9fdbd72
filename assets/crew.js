// The crew's phone (pages/crew.py): send the unit's position while a job is open, ring and
// vibrate when a new job appears. Positions go to web/crew.py with Dash's CSRF token.
(function () {
  let watchId = null;
  let source = null;
  let job = null; // {sos, status} last drawn
  let last = null; // the latest fix from the phone
  let lastSentAt = 0;
  let timer = null;

  function say(text, problem) {
    const el = source && document.getElementById(source.location);
    if (el) {
      el.textContent = text;
      el.classList.toggle("crew-location-problem", !!problem);
    }
  }

  // The words, in the page's language (components/crew.location_words); `{}` is where a value goes.
  function words(key, value) {
    const text = (source && source.words && source.words[key]) || key;
    return value === undefined ? text : text.replace("{}", value);
  }

  function csrf() {
    const match = document.cookie.match(/(?:^|;\s*)_csrf_token=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function send(force) {
    if (!last || !source || !job || !job.sos) {
      return;
    }
    const now = Date.now();
    if (!force && now - lastSentAt < source.every_ms) {
      return;
    }
    lastSentAt = now;
    const c = last.coords;
    fetch(source.url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()},
      body: JSON.stringify({lat: c.latitude, lon: c.longitude, accuracy: c.accuracy,
                            speed: c.speed, at_ms: Math.min(Date.now(), last.timestamp || Date.now())}),
    }).then((response) => {
      if (response.status === 401) {
        window.location.assign("/login"); // the crew link was revoked
      } else if (response.status === 422) {
        response.json().then((body) => say(words("not_used", body.error), true)).catch(() => {});
      } else if (response.ok) {
        say(`${words("sent", new Date().toLocaleTimeString())} (±${Math.round(c.accuracy)} m)`, false);
      } else {
        // 503: the database is unreachable. The next fix (every few seconds) tries again.
        say(words("not_saved", new Date().toLocaleTimeString()), true);
      }
    }).catch(() => say(words("offline"), true));
  }

  function start() {
    if (watchId !== null) {
      return;
    }
    if (!("geolocation" in navigator)) {
      say(words("unable"), true);
      return;
    }
    say(words("asking"), false);
    watchId = navigator.geolocation.watchPosition(
      (position) => { last = position; send(false); },
      (error) => {
        if (error.code === 1) {
          say(words("denied"), true);
        } else {
          say(words("no_fix"), true);
        }
      },
      {enableHighAccuracy: true, maximumAge: 5000, timeout: 20000});
    timer = window.setInterval(() => send(false), source.every_ms);
  }

  function stop() {
    if (watchId !== null) {
      navigator.geolocation.clearWatch(watchId);
      watchId = null;
    }
    if (timer !== null) {
      window.clearInterval(timer);
      timer = null;
    }
    say(words("no_job"), false);
  }

  function alarm() {
    const audio = source && document.getElementById(source.audio);
    if (audio) {
      audio.currentTime = 0;
      audio.play().catch(() => {});
    }
    if (navigator.vibrate) {
      navigator.vibrate([300, 150, 300, 150, 600]);
    }
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    crew: {
      // Called whenever the job on screen changes: `current` is {sos, status} (sos null: no job).
      follow: function (current, src, seen) {
        source = src;
        const previous = job;
        job = current;
        if (!current) {
          return window.dash_clientside.no_update;
        }
        if (current.sos) {
          start();
          if (seen !== null && seen !== undefined && seen !== current.sos) {
            alarm(); // a job this screen has not shown before
          }
          if (previous && previous.sos === current.sos && previous.status !== current.status) {
            send(true); // every status change carries where it happened
          }
        } else {
          stop();
        }
        return current.sos || 0;
      },
    },
  });
})();
