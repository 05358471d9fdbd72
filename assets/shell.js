// Clientside callbacks of the frame around every page (components/navbar.py).
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  shell: {
    // The menu button on narrow screens: no server round trip, nothing to authorise.
    toggleNavbar: function (nClicks, isOpen) {
      return nClicks ? !isOpen : isOpen;
    },
  },
});
