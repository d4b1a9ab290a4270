// handover UI behaviour: no inline script anywhere (the CSP forbids it);
// everything that needs JavaScript is here or in vendored htmx, and every
// page works without it.
(function () {
  "use strict";

  // The language select submits itself when a person changes it; the
  // button stays for use without JavaScript.
  document.addEventListener("change", function (e) {
    if (e.isTrusted && e.target && e.target.id === "lang-select") {
      e.target.form.submit();
    }
  });

  // Keyboard shortcuts for a reviewer going through candidate pairs:
  // j / k next / previous pair, c confirm, r reject, u undo (each asks for
  // the reason field first when it is empty), d disclose a confirmed pair,
  // / the reason field.
  function cards() {
    return Array.prototype.slice.call(document.querySelectorAll("#cards article.cand"));
  }
  function current() {
    var a = document.activeElement;
    return a && a.closest ? a.closest("article.cand") : null;
  }
  function focusCard(c) {
    if (c) {
      c.focus();
      c.scrollIntoView({ block: "nearest" });
    }
  }
  // A field to focus when the key is released: moving the focus on
  // keydown would let the key's character land in the field.
  var focusOnKeyup = null;
  document.addEventListener("keyup", function () {
    if (focusOnKeyup) {
      focusOnKeyup.focus();
      focusOnKeyup = null;
    }
  });
  document.addEventListener("keydown", function (e) {
    if (!document.getElementById("cards") || e.ctrlKey || e.metaKey || e.altKey) {
      return;
    }
    var t = e.target;
    var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT");
    if (typing && e.key !== "Escape") {
      return;
    }
    var all = cards();
    var cur = current();
    var i = cur ? all.indexOf(cur) : -1;
    switch (e.key) {
      case "j":
        focusCard(all[Math.min(i + 1, all.length - 1)]);
        break;
      case "k":
        focusCard(all[Math.max(i - 1, 0)]);
        break;
      case "Escape":
        focusCard(cur);
        break;
      case "/":
        if (cur) {
          focusOnKeyup = cur.querySelector("input.reason");
        }
        break;
      case "d":
        if (cur && cur.querySelector('button[data-key="d"]')) {
          cur.querySelector('button[data-key="d"]').click();
        }
        break;
      case "c":
      case "r":
      case "u":
        if (!cur) {
          return;
        }
        var b = cur.querySelector('button[data-key="' + e.key + '"]');
        var reason = cur.querySelector("input.reason");
        if (!b) {
          return;
        }
        if (reason && reason.value.trim() === "") {
          focusOnKeyup = reason;
        } else {
          b.click();
        }
        break;
      default:
        return;
    }
    e.preventDefault();
  });

  // After an htmx swap of a card, keep the keyboard where it was.
  document.addEventListener("htmx:afterSwap", function (e) {
    var c = e.detail && e.detail.target;
    if (c && c.matches && c.matches("article.cand")) {
      focusCard(c);
    }
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    var t = e.detail && e.detail.elt;
    if (t && t.id && t.id.indexOf("cand-") === 0) {
      focusCard(t);
    }
  });
})();

// Logging out clears the stage kits kept on this device (offline.js) and
// the service worker's copies of stage screens; the queue of records not
// yet accepted by the server stays, to be sent after the next login.
(function () {
  "use strict";
  var done = false;
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (done || !f.matches || !f.matches('form[action="/logout"], form[action="/logout/all"]')) {
      return;
    }
    e.preventDefault();
    // From now on the stage screen (offline.js) stores no kit: a kit
    // fetched before the logout and answered after the clearing below
    // would otherwise be stored again.
    document.documentElement.dataset.loggingOut = "1";
    var forget = [];
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage("forget");
    }
    if (window.caches) {
      forget.push(caches.delete("handover-pages-1").catch(function () {}));
    }
    if (window.indexedDB) {
      forget.push(new Promise(function (resolve) {
        var req = indexedDB.open("handover", 1);
        req.onupgradeneeded = function () {
          req.result.createObjectStore("kits", { keyPath: "key" });
          req.result.createObjectStore("queue", { keyPath: "id" });
        };
        req.onsuccess = function () {
          var t = req.result.transaction("kits", "readwrite");
          t.objectStore("kits").clear();
          t.oncomplete = function () { req.result.close(); resolve(); };
          t.onerror = t.onabort = function () { req.result.close(); resolve(); };
        };
        req.onerror = function () { resolve(); };
      }));
    }
    Promise.all(forget).then(function () {
      done = true;
      f.submit();
    });
  });
})();
