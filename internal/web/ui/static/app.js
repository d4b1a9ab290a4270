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
