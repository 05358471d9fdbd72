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
