// The officer's screen when the connection drops (the crossing's network
// is poor): the actions are queued in the browser with the event ids the
// page gave them, the screen says it is offline and how many wait, and the
// queue is sent when the connection is back: the server records each event
// once however often it arrives, and the screen says when a queued event
// was accepted or refused. Without JavaScript the forms post as usual.
(function () {
  "use strict";
  var KEY = "handover-crossing-queue";
  var net = document.getElementById("net");
  if (!net) {
    return;
  }
  var down = false;
  function load() {
    try {
      return JSON.parse(localStorage.getItem(KEY) || "[]");
    } catch (e) {
      return [];
    }
  }
  function save(q) {
    localStorage.setItem(KEY, JSON.stringify(q));
  }
  function say(text, cls) {
    net.textContent = text;
    net.className = "net " + cls;
    net.hidden = !text;
  }
  function offline() {
    down = true;
    say(net.dataset.offline + " " + net.dataset.queued.replace("%d", load().length), "net-off");
  }
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (!f.matches || !f.matches("form.act, form.queue") || (navigator.onLine !== false && !down)) {
      return;
    }
    e.preventDefault();
    var q = load();
    q.push({ action: f.action, body: new URLSearchParams(new FormData(f)).toString() });
    save(q);
    offline();
    var box = document.getElementById("q");
    if (box) {
      box.value = "";
      box.focus();
    }
  });
  var sending = false;
  function flush() {
    var q = load();
    if (sending) {
      return;
    }
    if (!q.length) {
      if (down) {
        say("", "");
      }
      down = false;
      return;
    }
    sending = true;
    fetch(q[0].action, {
      method: "POST", body: q[0].body, credentials: "same-origin", redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function (r) {
      sending = false;
      var rest = load().slice(1);
      save(rest);
      down = false;
      // A redirect is the page's "recorded"; anything else was refused by
      // the stage (the officer searches the person to see why).
      var ok = r.type === "opaqueredirect" || r.status === 303 || r.ok;
      say((ok ? net.dataset.accepted : net.dataset.refused).replace("%d", rest.length), ok ? "net-ok" : "net-bad");
      if (rest.length) {
        flush();
      }
    }).catch(function () {
      sending = false;
      offline();
    });
  }
  window.addEventListener("offline", offline);
  window.addEventListener("online", flush);
  document.body.addEventListener("htmx:sendError", offline);
  document.body.addEventListener("htmx:afterRequest", function (e) {
    if (e.detail && e.detail.successful && (down || load().length)) {
      flush();
    }
  });
  if (load().length) {
    if (navigator.onLine === false) {
      offline();
    } else {
      flush();
    }
  }
})();
