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
  },
});
