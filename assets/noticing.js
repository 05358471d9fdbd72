// Noticing a new SOS on every hospital-admin page (components/noticing.py, pages/shell.py):
// the tab title starts with the count waiting ("(2) SOS queue · HealthFirst"), the navbar badge
// shows it, a sound plays when it grows, and a desktop notification appears when the tab is in
// the background. Sound is on by default and remembered per browser (localStorage); browsers
// refuse sound until the person has touched the page, and the page says so while that lasts.
(function () {
  const SOUND_KEY = "healthfirst.sound";
  let waiting = 0;

  function titled(title) {
    const bare = title.replace(/^\(\d+\)\s+/, "");
    return waiting > 0 ? `(${waiting}) ${bare}` : bare;
  }

  function retitle() {
    const wanted = titled(document.title);
    if (document.title !== wanted) {
      document.title = wanted;
    }
  }

  // Dash sets the title on every page change: put the count back each time.
  document.addEventListener("DOMContentLoaded", function () {
    const head = document.querySelector("head");
    if (head) {
      new MutationObserver(retitle).observe(head, { subtree: true, childList: true, characterData: true });
    }
  });

  function soundOn() {
    return window.localStorage.getItem(SOUND_KEY) !== "off";
  }

  function showBlocked(blocked) {
    const note = document.getElementById("notice-sound-blocked");
    if (note) {
      note.hidden = !blocked;
    }
  }

  function play(audioId) {
    const audio = document.getElementById(audioId);
    if (!audio || !soundOn()) {
      return;
    }
    audio.currentTime = 0;
    audio.play().then(() => showBlocked(false)).catch(() => showBlocked(true));
  }

  // Once the person touches the page, sound can play: hide the note.
  ["pointerdown", "keydown"].forEach((kind) => document.addEventListener(kind, () => showBlocked(false), { once: true }));

  function notify(count, fresh) {
    if (!("Notification" in window) || Notification.permission !== "granted" || !document.hidden) {
      return;
    }
    const note = new Notification(`New SOS: ${count} waiting`, {
      body: `${fresh} new SOS for your hospital. Open HealthFirst to accept.`,
      tag: "healthfirst-sos",
      renotify: true,
    });
    note.onclick = function () {
      window.focus();
      window.location.assign("/hospital/queue");
    };
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    noticing: {
      // `count` from the server; returns the badge's text and whether the badge shows.
      notice: function (count, audioId) {
        if (count === null || count === undefined) {
          return [window.dash_clientside.no_update, window.dash_clientside.no_update];
        }
        const before = waiting;
        waiting = count;
        retitle();
        if (count > before) {
          play(audioId);
          notify(count, count - before);
        }
        return [String(count), count === 0];
      },

      // The sound switch: remembered in this browser. Returns the switch's value.
      rememberSound: function (value) {
        if (value === null || value === undefined) {
          return soundOn();
        }
        window.localStorage.setItem(SOUND_KEY, value ? "on" : "off");
        return value;
      },

      // One click asks the browser for desktop notifications; the button then says what it got.
      askNotifications: function (clicks) {
        if (!("Notification" in window)) {
          return "This browser cannot show desktop notifications";
        }
        if (clicks && Notification.permission === "default") {
          Notification.requestPermission().then(() => {
            const button = document.getElementById("notice-desktop");
            if (button) {
              button.textContent = Notification.permission === "granted"
                ? "Desktop notifications on" : "Desktop notifications blocked";
            }
          });
        }
        return Notification.permission === "granted" ? "Desktop notifications on"
          : Notification.permission === "denied" ? "Desktop notifications blocked (browser settings)"
            : "Turn on desktop notifications";
      },
    },
  });
})();
