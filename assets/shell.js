// The frame around every page (components/navbar.py, pages/shell.py): the menu button, the
// navbar group holding the open page, the polite live region, form errors tied to their field,
// and the keyboard focus kept across redraws.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  shell: {
    // The menu button on narrow screens: no server round trip, nothing to authorise.
    toggleNavbar: function (nClicks, isOpen) {
      return nClicks ? !isOpen : isOpen;
    },
    // <html lang> follows the page: the person's language on a translated page, English on the
    // others (auth/i18n.py sets it on a full load; this keeps it right when Dash changes pages).
    // Returns the page the language switch comes back to.
    pageLanguage: function (pathname, search, data) {
      var path = pathname || "/";
      if (data && data.language) {
        // English only: the staff screens this person may open (any other address, an unknown
        // one or a refusal included, speaks their language).
        var english = data.english ? data.english.indexOf(path) >= 0
                                   : (data.translated || []).indexOf(path) < 0;
        document.documentElement.lang = english ? "en" : data.language;
      }
      return path + (search || "");
    },
    // The dropdown that holds the open page is marked like an active link.
    markNavGroups: function (pathname, ids) {
      return (ids || []).map(function (id) {
        return id.pages.split(" ").indexOf(pathname) >= 0 ? "nav-big active" : "nav-big";
      });
    },
  },
});

(function () {
  "use strict";

  // Say `message` through the frame's polite live region (#live-status), without moving focus.
  // The same text twice in a row is read again (cleared first, then written on the next frame).
  function announce(message) {
    var region = document.getElementById("live-status");
    if (!region) { return; }
    region.textContent = "";
    window.requestAnimationFrame(function () { region.textContent = message; });
  }
  window.healthfirst = Object.assign({}, window.healthfirst, { announce: announce });

  // A field's message (Bootstrap's .invalid-feedback / .form-text next to it) is tied to the
  // field with aria-describedby, the field says aria-invalid while it is marked .is-invalid, and
  // the message is a role="alert" so a screen reader reads it out when it appears.
  var counter = 0;
  var FIELDS = "input.form-control, textarea.form-control, select.form-select, input.form-check-input";

  function idOf(element) {
    if (!element.id) { counter += 1; element.id = "hf-described-" + counter; }
    return element.id;
  }

  function messagesOf(field) {
    var box = field.closest(".mb-2, .mb-3, .form-group, .col, [class*='col-']") || field.parentElement;
    return box ? Array.prototype.slice.call(box.querySelectorAll(".invalid-feedback, .form-text")) : [];
  }

  function tie(field) {
    var messages = messagesOf(field);
    if (!messages.length) { return; }
    var ids = messages.map(function (message) {
      if (message.classList.contains("invalid-feedback") && !message.hasAttribute("role")) {
        message.setAttribute("role", "alert");
      }
      return idOf(message);
    });
    var wanted = ids.join(" ");
    if (field.getAttribute("aria-describedby") !== wanted) { field.setAttribute("aria-describedby", wanted); }
    var invalid = field.classList.contains("is-invalid");
    if (invalid && field.getAttribute("aria-invalid") !== "true") { field.setAttribute("aria-invalid", "true"); }
    if (!invalid && field.hasAttribute("aria-invalid")) { field.removeAttribute("aria-invalid"); }
  }

  // dcc.DatePickerSingle/Range put aria-expanded and aria-haspopup on a plain <div> around the
  // input (not allowed there: axe "aria-allowed-attr"); the input itself opens the calendar.
  function dropDisallowedAria() {
    Array.prototype.forEach.call(document.querySelectorAll(".dash-datepicker-input-wrapper[aria-expanded]"),
      function (wrapper) {
        if (!wrapper.hasAttribute("role")) {
          wrapper.removeAttribute("aria-expanded");
          wrapper.removeAttribute("aria-haspopup");
        }
      });
  }

  // The keyboard focus survives a redraw. Dash re-mounts a list's children when one of them
  // changes (a held SOS card after "Send ambulance" or a step), which drops the focus to <body>
  // and sends a keyboard user back to the top of the page. Then the focus goes to the control
  // with the same id, else to the first button of the nearest element with an id around it, if
  // that was drawn again (the card: its next step). Focus the person moved away themselves, or a
  // region that left the page, is left alone.
  var lastFocus = null;  // {element, id, around}: the focused control and the id around it
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    var around = target.parentElement ? target.parentElement.closest("[id]") : null;
    lastFocus = {element: target, id: target.id, around: around ? around.id : ""};
  });
  document.addEventListener("focusout", function (event) {
    var left = event.target;
    window.setTimeout(function () {  // still on the page: the person moved the focus away
      if (lastFocus && lastFocus.element === left && left.isConnected && document.activeElement !== left) {
        lastFocus = null;
      }
    }, 0);
  });
  function keepFocus() {
    var last = lastFocus;
    var active = document.activeElement;
    if (!last || last.element.isConnected || (active && active !== document.body)) { return; }
    lastFocus = null;
    var again = last.id ? document.getElementById(last.id) : null;
    if (!again && last.around) {
      var box = document.getElementById(last.around);
      again = box ? box.querySelector("button:not([disabled])") : null;
    }
    if (again) { again.focus({preventScroll: true}); }
  }

  var pending = false;
  function tieAll() {
    pending = false;
    Array.prototype.forEach.call(document.querySelectorAll(FIELDS), tie);
    dropDisallowedAria();
    keepFocus();
  }
  function soon() {
    if (!pending) { pending = true; window.requestAnimationFrame(tieAll); }
  }

  function start() {
    tieAll();
    new MutationObserver(soon).observe(document.body, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["class", "aria-expanded"],
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
