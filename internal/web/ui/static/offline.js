// The officer's screen at a crossing with poor or no connection
// (docs/design/crossing.md, "The stage kit"). It keeps, in IndexedDB:
//
//   - the stage kit: what the officer may see of the stage's persons,
//     with the search terms the server files them under, fetched from
//     …/kit and refreshed while online; searched with the server's keys
//     (fold.js) when there is no connection;
//   - the queue: every event recorded with no connection, under its
//     client id, until the server answers that id (…/queue): applied or
//     duplicate is accepted; refused is kept and shown with the reason,
//     to correct and send again or to discard deliberately. A redirect
//     (an ended session), an error page or a lost connection is no
//     answer: the event stays waiting, and an ended session asks the
//     officer to log in again.
//
// The screen always says how many events are waiting, sent, accepted and
// refused. Without JavaScript the page's forms post as before.
(function () {
  "use strict";
  var net = document.getElementById("net");
  if (!net || !window.indexedDB || !window.handoverFold) {
    return;
  }
  var D = net.dataset;
  var base = D.base;
  var user = D.user;
  var kitKey = user + " " + base;
  var fold = window.handoverFold;
  var kit = null;
  var down = navigator.onLine === false;
  var needLogin = false;
  var sending = false;

  // IndexedDB: one database, a store of kits and a store of queued events.
  var dbp = null;
  function db() {
    if (!dbp) {
      dbp = new Promise(function (resolve, reject) {
        var req = indexedDB.open("handover", 1);
        req.onupgradeneeded = function () {
          var d = req.result;
          if (!d.objectStoreNames.contains("kits")) {
            d.createObjectStore("kits", { keyPath: "key" });
          }
          if (!d.objectStoreNames.contains("queue")) {
            d.createObjectStore("queue", { keyPath: "id" });
          }
        };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    }
    return dbp;
  }
  function tx(store, mode, fn) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction(store, mode);
        var out;
        t.oncomplete = function () { resolve(out); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error); };
        out = fn(t.objectStore(store));
      });
    });
  }
  function getAll(store) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var req = d.transaction(store, "readonly").objectStore(store).getAll();
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    });
  }
  function put(store, v) {
    return tx(store, "readwrite", function (s) {
      // Logging out (app.js) clears the kits: none is stored after it.
      if (store !== "kits" || !document.documentElement.dataset.loggingOut) {
        s.put(v);
      }
    });
  }
  function del(store, key) {
    return tx(store, "readwrite", function (s) { s.delete(key); });
  }

  // The queue of this user on this stage.
  function mine() {
    return getAll("queue").then(function (all) {
      return all.filter(function (q) { return q.user === user && q.base === base; })
        .sort(function (a, b) { return a.seq - b.seq; });
    });
  }

  function t(key) {
    var s = kit && kit.text[key];
    if (s === undefined) {
      return key;
    }
    for (var i = 1; i < arguments.length; i++) {
      s = s.replace(/%[sd]/, String(arguments[i]));
    }
    return s;
  }
  function say(text, cls) {
    net.textContent = "";
    text.forEach(function (part) { net.appendChild(part); });
    net.className = "net " + cls;
    net.hidden = text.length === 0;
  }
  function span(text, cls) {
    var s = document.createElement("span");
    s.textContent = text;
    if (cls) {
      s.className = cls;
    }
    return s;
  }

  // show redraws the status line and the panel of refused events.
  function show() {
    return mine().then(function (q) {
      var n = { waiting: 0, sent: 0, accepted: 0, refused: 0 };
      q.forEach(function (e) { n[e.state]++; });
      var line = [];
      var cls = "net-ok";
      if (needLogin) {
        var a = document.createElement("a");
        a.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
        a.id = "relogin";
        a.textContent = D.loginlink;
        line.push(span(D.login + " "), a, document.createElement("br"));
        cls = "net-bad";
      } else if (down) {
        line.push(span(D.offline), document.createElement("br"));
        cls = "net-off";
      } else if (n.refused) {
        cls = "net-bad";
      }
      if (q.length) {
        line.push(span(D.counts.replace("%d", n.waiting).replace("%d", n.sent).replace("%d", n.accepted).replace("%d", n.refused), "counts"));
      }
      if (!down && !needLogin && q.length && !n.waiting && !n.sent && !n.refused) {
        line.push(document.createElement("br"), span(D.allsent));
      }
      say(line, cls);
      drawRefused(q.filter(function (e) { return e.state === "refused"; }));
      document.querySelectorAll("[data-queued-for]").forEach(function (el) { el.remove(); });
      return n;
    });
  }

  // drawRefused lists the refused events, each with the reason and what
  // may be done: correct (the settings as now chosen) and send again, or
  // discard for good (a second click confirms).
  var drawn = null;
  function drawRefused(list) {
    var panel = document.getElementById("refused");
    if (!panel) {
      return;
    }
    // Drawn again only when it changed: a button the officer is on stays.
    var sig = JSON.stringify(list.map(function (e) { return [e.id, e.message]; }));
    if (sig === drawn) {
      return;
    }
    drawn = sig;
    panel.textContent = "";
    panel.hidden = list.length === 0;
    if (!list.length) {
      clearMarks();
      return;
    }
    var h = document.createElement("h2");
    h.textContent = D.refusedh;
    h.id = "refused-h";
    panel.appendChild(h);
    var ul = document.createElement("ul");
    list.forEach(function (e) {
      var li = document.createElement("li");
      li.className = "refused-event";
      li.id = "refused-" + e.id;
      var p = document.createElement("p");
      p.appendChild(span(e.label + ": ", "who"));
      p.appendChild(span(e.message, "why"));
      li.appendChild(p);
      var again = document.createElement("button");
      again.type = "button";
      again.className = "resend";
      again.textContent = D.resend;
      again.addEventListener("click", function () { resend(e.id); });
      var drop = document.createElement("button");
      drop.type = "button";
      drop.className = "discard";
      drop.textContent = D.discard;
      drop.addEventListener("click", function () {
        if (drop.dataset.sure) {
          del("queue", e.id).then(show);
          return;
        }
        drop.dataset.sure = "1";
        drop.textContent = D.discardq;
      });
      li.appendChild(again);
      li.appendChild(drop);
      ul.appendChild(li);
      markControls(e.controls);
    });
    panel.appendChild(ul);
  }

  // markControls marks the settings a refusal names and opens their section.
  function markControls(controls) {
    if (!controls) {
      return;
    }
    Object.keys(controls).forEach(function (id) {
      var el = document.getElementById(id);
      if (!el) {
        return;
      }
      el.setAttribute("aria-invalid", "true");
      el.setAttribute("aria-describedby", id + "-err");
      var err = document.getElementById(id + "-err");
      if (!err) {
        err = document.createElement("span");
        err.className = "field-error";
        err.id = id + "-err";
        el.insertAdjacentElement("afterend", err);
      }
      err.textContent = controls[id];
      var d = el.closest("details");
      if (d) {
        d.open = true;
      }
    });
  }
  function clearMarks() {
    ["receiver", "observer", "method"].forEach(function (id) {
      var el = document.getElementById(id);
      var err = document.getElementById(id + "-err");
      if (el && err && err.dataset.server !== "1") {
        el.removeAttribute("aria-invalid");
        el.removeAttribute("aria-describedby");
        err.remove();
      }
    });
  }

  // The settings of the shift (receiver, observer, check), chosen once: kept
  // on the device and shown as one line.
  var settingsKey = "handover-settings " + kitKey;
  function settings() {
    var out = {};
    ["receiver", "observer", "method"].forEach(function (id) {
      var el = document.getElementById(id);
      out[id] = el ? el.value : "";
    });
    return out;
  }
  function settingsLine() {
    var line = document.getElementById("settings-line");
    if (!line) {
      return;
    }
    var parts = [];
    ["receiver", "observer", "method"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el && el.value && el.selectedIndex >= 0) {
        parts.push(el.options[el.selectedIndex].text);
      }
    });
    line.textContent = parts.length ? "· " + parts.join(" · ") : "";
  }
  function restoreSettings() {
    var saved = {};
    try {
      saved = JSON.parse(localStorage.getItem(settingsKey) || "{}");
    } catch (err) {
      saved = {};
    }
    ["receiver", "observer", "method"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el && !el.value && saved[id] && el.querySelector('option[value="' + CSS.escape(saved[id]) + '"]')) {
        el.value = saved[id];
      }
      if (el) {
        el.addEventListener("change", function () {
          localStorage.setItem(settingsKey, JSON.stringify(settings()));
          settingsLine();
        });
      }
    });
    var d = document.getElementById("settings");
    var obs = document.getElementById("observer");
    if (d && obs && obs.value && !document.querySelector("#settings [aria-invalid]")) {
      d.open = false;
    }
    settingsLine();
  }

  // The kit.
  function loadKit() {
    return db().then(function (d) {
      return new Promise(function (resolve) {
        var req = d.transaction("kits", "readonly").objectStore("kits").get(kitKey);
        req.onsuccess = function () { resolve(req.result ? req.result.kit : null); };
        req.onerror = function () { resolve(null); };
      });
    }).then(function (k) {
      if (k && k.v === 1) {
        kit = k;
        fold.setLetters(kit.letters);
      }
      return kit;
    });
  }
  // refreshKit fetches the kit; it is also how a screen that lost the
  // connection finds it back.
  function refreshKit() {
    return fetch(base + "/kit", { credentials: "same-origin", redirect: "manual", headers: { Accept: "application/json" } }).then(function (r) {
      if (down) {
        down = false;
        show();
        flush();
      }
      if (r.type === "opaqueredirect" || r.status === 401) {
        if (!needLogin) {
          needLogin = true;
          show();
        }
        return kit;
      }
      if (!r.ok || (r.headers.get("Content-Type") || "").indexOf("application/json") < 0) {
        return kit;
      }
      if (needLogin) {
        needLogin = false; // logged in again (in another tab, say)
        show();
      }
      return r.json().then(function (k) {
        if (k.state !== "open" && k.state !== "closing") {
          // A closed or cancelled stage: its kit is not kept.
          kit = null;
          return del("kits", kitKey).then(function () { return null; });
        }
        kit = k;
        fold.setLetters(k.letters);
        var t0 = performance.now();
        return put("kits", { key: kitKey, user: user, base: base, kit: k }).then(function () {
          net.dataset.kitStored = String(performance.now() - t0);
          net.dataset.kitPersons = String(k.persons.length);
          return k;
        });
      });
    }).catch(function () {
      goneDown();
      return kit;
    });
  }

  // search finds the kit's persons: a record id; a whole service number;
  // else every word of the query as a prefix of one of a person's terms.
  function search(q) {
    q = q.trim();
    if (!kit || !q) {
      return [];
    }
    var ps = kit.persons;
    for (var i = 0; i < ps.length; i++) {
      if (ps[i].id === q) {
        return [ps[i]];
      }
    }
    var code = fold.foldCode(q);
    if (/[0-9]/.test(code)) {
      var byCode = ps.filter(function (p) { return p.c && p.c[0] === code && !(p.wh && p.side !== kit.party && kit.party); });
      if (byCode.length) {
        return byCode;
      }
    }
    var tokens = fold.queryTokens(q);
    if (!tokens.length) {
      return [];
    }
    var out = [];
    ps.forEach(function (p) {
      if (p.wh && kit.party && p.side !== kit.party) {
        return; // found by the other party only by the id the agreement holds
      }
      var exact = 0;
      for (var k = 0; k < tokens.length; k++) {
        var tk = tokens[k];
        var hit = 0;
        var prefixes = [tk.word].concat(tk.forms);
        (p.w || []).forEach(function (w) {
          prefixes.forEach(function (f) {
            if (w === f) {
              hit = 2;
            } else if (!hit && w.indexOf(f) === 0) {
              hit = 1;
            }
          });
        });
        if (!hit && tk.code) {
          (p.c || []).forEach(function (c) {
            if (c.indexOf(tk.code) === 0) {
              hit = c === tk.code ? 2 : 1;
            }
          });
        }
        if (!hit) {
          return;
        }
        exact += hit;
      }
      out.push({ p: p, s: exact });
    });
    out.sort(function (a, b) { return b.s - a.s || (a.p.id < b.p.id ? -1 : 1); });
    return out.slice(0, 10).map(function (x) { return x.p; });
  }

  function other(side) {
    return kit.sides[0] === side ? kit.sides[1] : kit.sides[0];
  }

  // half says what the officer records of p: "release", "receipt" or
  // "observe", and whether it is still open by the kit's outcome.
  function half(p) {
    if (!kit.party) {
      return { half: "observe", open: ["outstanding", "released", "received", "unconfirmed"].indexOf(p.out) >= 0 };
    }
    if (kit.party === p.side) {
      return { half: "release", open: !p.res && ["outstanding", "received"].indexOf(p.out) >= 0 };
    }
    return { half: "receipt", open: ["outstanding", "released", "identity_mismatch"].indexOf(p.out) >= 0 };
  }

  function newID() {
    var b = new Uint8Array(12);
    crypto.getRandomValues(b);
    return "ui-" + Array.from(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }

  var seq = Date.now();
  function enqueue(ev, label) {
    seq++;
    var item = { id: ev.id, user: user, base: base, seq: seq, state: "waiting", event: ev, label: label, record: ev.record_id, type: ev.type };
    return put("queue", item).then(show).then(function () {
      if (!down) {
        flush();
      }
    });
  }

  function select(id, label, values, prefix, chosen) {
    var wrap = document.createElement("span");
    var l = document.createElement("label");
    l.htmlFor = id;
    l.className = "sr";
    l.textContent = label;
    var s = document.createElement("select");
    s.id = id;
    values.forEach(function (v) {
      var o = document.createElement("option");
      o.value = v;
      o.textContent = t(prefix + v);
      if (v === chosen) {
        o.selected = true;
      }
      s.appendChild(o);
    });
    wrap.appendChild(l);
    wrap.appendChild(s);
    return wrap;
  }

  // card draws one person of the kit with the officer's actions.
  function card(p, queued) {
    var a = document.createElement("article");
    a.className = "card person kit-card outcome-" + p.out;
    a.setAttribute("aria-labelledby", "k-" + p.id);
    var h = document.createElement("h3");
    h.className = "pname";
    h.id = "k-" + p.id;
    h.textContent = p.name || t("list.withheld");
    a.appendChild(h);
    if (p.latin) {
      var la = document.createElement("p");
      la.className = "muted";
      la.lang = "en";
      la.textContent = p.latin;
      a.appendChild(la);
    }
    var facts = [];
    if (p.birth) {
      facts.push(t("field.birth_date") + ": " + p.birth);
    }
    facts.push(t("value." + p.cat));
    if (p.rank) {
      facts.push(p.rank);
    }
    var fp = document.createElement("p");
    fp.textContent = facts.join(" · ");
    if (p.sn) {
      fp.appendChild(document.createTextNode(" · "));
      var strong = document.createElement("strong");
      strong.textContent = p.sn;
      fp.appendChild(strong);
    }
    a.appendChild(fp);
    var sp = document.createElement("p");
    sp.appendChild(document.createTextNode(t("stage.side", p.side) + " · "));
    var code = document.createElement("code");
    code.textContent = p.id;
    sp.appendChild(code);
    if (p.res) {
      sp.appendChild(document.createTextNode(" · " + t("stage.reserve")));
    }
    sp.appendChild(document.createTextNode(" · "));
    sp.appendChild(span(t("outcome." + p.out), "badge outcome outcome-" + p.out));
    a.appendChild(sp);
    if (queued.length) {
      var qp = document.createElement("p");
      qp.className = "queued";
      qp.setAttribute("role", "note");
      qp.textContent = t("offline.queuedcard", queued.map(function (e) { return t("offline.type." + e.type); }).join(", "));
      a.appendChild(qp);
      return a;
    }
    if (!kit.record) {
      return a;
    }
    var hv = half(p);
    if (!hv.open) {
      return a;
    }
    var acts = document.createElement("div");
    acts.className = "kit-acts";
    function button(type, text, primary, extra) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = text;
      b.dataset.type = type;
      if (primary) {
        b.className = "primary";
        b.id = "kit-handover-" + p.id;
      }
      b.addEventListener("click", function () {
        var s = settings();
        var ev = { id: newID(), type: type, side: p.side, record_id: p.id };
        if (hv.half === "release") {
          ev.receiver = s.receiver || undefined;
          ev.observer = s.observer || undefined;
        } else if (hv.half === "receipt") {
          ev.observer = s.observer || undefined;
          ev.check = { method: extra.method.value };
          ev.health = extra.health.value;
        }
        enqueue(ev, (p.name || p.id) + " — " + t("offline.type." + type)).then(function () {
          render(lastQuery);
          var q = document.getElementById("q");
          if (q) {
            q.value = "";
            q.focus();
          }
        });
      });
      acts.appendChild(b);
      return b;
    }
    if (hv.half === "release") {
      button("released", t("stage.releasedbtn", other(p.side)), true);
      button("refused", t("stage.refusedbtn"));
      button("not_presented", t("stage.notpresented"));
    } else if (hv.half === "receipt") {
      var extra = {};
      var m = select("km-" + p.id, t("stage.method"), ["document", "service_number", "photo", "interview"], "check.", settings().method || "document");
      var hs = select("kh-" + p.id, t("stage.health"), ["good", "not_wounded", "recovered", "convalescent", "sick", "slightly_wounded", "seriously_wounded"], "health.", "good");
      extra.method = m.querySelector("select");
      extra.health = hs.querySelector("select");
      acts.appendChild(m);
      acts.appendChild(hs);
      button("received", t("stage.receivedbtn", p.side), true, extra);
    } else {
      button("observed_handover", t("stage.observedhandover"), true);
      button("observed_refusal", t("stage.observedrefusal"));
    }
    a.appendChild(acts);
    return a;
  }

  var lastQuery = "";
  // render shows the kit's answer to q in place of the server's.
  function render(q) {
    lastQuery = q;
    var hits = document.querySelector("section.hits");
    if (!hits || !kit) {
      return Promise.resolve();
    }
    var t0 = performance.now();
    var found = search(q);
    net.dataset.searchMs = String(performance.now() - t0);
    return mine().then(function (queue) {
      hits.querySelectorAll("article.person, p.empty, p.kit-note").forEach(function (el) { el.remove(); });
      var anchor = hits.querySelector("h2");
      var note = document.createElement("p");
      note.className = "kit-note small muted";
      note.textContent = t("offline.kitfrom", new Date(kit.built_at).toLocaleTimeString(kit.lang));
      var frag = document.createDocumentFragment();
      frag.appendChild(note);
      if (!found.length) {
        var e = document.createElement("p");
        e.className = "empty";
        e.setAttribute("role", "status");
        e.textContent = t("stage.nohits", q);
        frag.appendChild(e);
      }
      found.forEach(function (p) {
        var queued = queue.filter(function (x) { return x.record === p.id && x.state !== "refused"; });
        frag.appendChild(card(p, queued));
      });
      anchor.after(frag);
      var first = hits.querySelector("article.person");
      if (first) {
        first.scrollIntoView({ block: "start" });
        var primary = found.length === 1 && first.querySelector("button.primary");
        if (primary) {
          primary.focus();
        }
      }
    });
  }

  // formEvent turns a form of the page, posted with no connection, into the
  // event it records (the officer's own half for "handed over").
  function formEvent(f) {
    var d = new FormData(f);
    var s = settings();
    var type = d.get("type");
    var side = d.get("side") || "";
    if (type === "handed_over") {
      type = !kit || !kit.party ? "observed_handover" : (kit.party === side ? "released" : "received");
    }
    var ev = { id: d.get("event") || newID(), type: type, side: side || undefined, record_id: d.get("record_id") || undefined };
    ["reserve", "reason", "objection", "subject"].forEach(function (k) {
      if (d.get(k)) {
        ev[k] = String(d.get(k)).trim();
      }
    });
    var receiver = s.receiver || d.get("receiver") || "";
    var observer = s.observer || d.get("observer") || "";
    if (type === "released" || type === "refused" || type === "not_presented" || type === "substituted_by" || type === "refusal_withdrawn") {
      ev.receiver = receiver || undefined;
      ev.observer = observer || undefined;
    }
    if (type === "received") {
      ev.observer = observer || undefined;
      ev.check = { method: d.get("method") || s.method || "document" };
      ev.health = d.get("health") || "good";
    }
    return ev;
  }
  function labelOf(f, ev) {
    var art = f.closest("article");
    var name = art && art.querySelector(".pname") ? art.querySelector(".pname").textContent : (ev.record_id || ev.id);
    return name + " — " + (kit ? t("offline.type." + ev.type) : ev.type);
  }

  // flush sends the waiting events and files each answer by its id.
  function flush() {
    if (sending || down || needLogin) {
      return Promise.resolve();
    }
    return mine().then(function (q) {
      var waiting = q.filter(function (e) { return e.state === "waiting"; });
      if (!waiting.length || sending) {
        return;
      }
      sending = true;
      var batch = waiting.slice(0, 100);
      return tx("queue", "readwrite", function (s) {
        batch.forEach(function (e) { e.state = "sent"; s.put(e); });
      }).then(show).then(function () {
        return fetch(base + "/queue", {
          method: "POST", credentials: "same-origin", redirect: "manual",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify({ events: batch.map(function (e) { return e.event; }) })
        });
      }).then(function (r) {
        if (r.type === "opaqueredirect" || r.status === 401) {
          needLogin = true;
          return {};
        }
        needLogin = false;
        if (r.ok && (r.headers.get("Content-Type") || "").indexOf("application/json") >= 0) {
          return r.json();
        }
        return {};
      }, function () {
        goneDown();
        return {};
      }).then(function (ans) {
        var by = {};
        (ans.results || []).forEach(function (x) { by[x.id] = x; });
        return tx("queue", "readwrite", function (s) {
          batch.forEach(function (e) {
            var x = by[e.id];
            if (x && (x.status === "applied" || x.status === "duplicate")) {
              // Accepted: only the line the counts need stays.
              s.put({ id: e.id, user: e.user, base: e.base, seq: e.seq, state: "accepted", label: e.label, record: e.record, type: e.type, at: Date.now() });
            } else if (x && x.status === "refused") {
              e.state = "refused";
              e.message = x.message;
              e.controls = x.controls || null;
              s.put(e);
            } else {
              e.state = "waiting"; // not answered: sent again later
              s.put(e);
            }
          });
        });
      }).then(function () {
        sending = false;
        return show();
      }).then(function (n) {
        if (n && n.waiting && !down && !needLogin) {
          return flush();
        }
        if (n && n.accepted) {
          return refreshKit().then(function () {
            if (lastQuery) {
              render(lastQuery);
            }
          });
        }
      }, function () {
        sending = false;
      });
    });
  }

  // resend applies the settings as now chosen to a refused event and
  // queues it again under its id.
  function resend(id) {
    return tx("queue", "readwrite", function (s) {
      var req = s.get(id);
      req.onsuccess = function () {
        var e = req.result;
        if (!e || e.state !== "refused") {
          return;
        }
        var st = settings();
        var ev = e.event;
        if ("observer" in ev || ev.type === "refused" || ev.type === "received" || ev.type === "released") {
          ev.observer = st.observer || ev.observer;
        }
        if (ev.type === "released" || ev.type === "refused" || ev.type === "not_presented") {
          ev.receiver = st.receiver || ev.receiver;
        }
        // The same client id: a refused event changed nothing on the
        // server, so the corrected one is recorded under it once.
        e.state = "waiting";
        e.message = undefined;
        e.controls = undefined;
        s.put(e);
      };
    }).then(function () {
      clearMarks();
      return show();
    }).then(flush);
  }

  function goneDown() {
    if (!down) {
      down = true;
      show();
    }
  }
  function backUp() {
    down = false;
    show().then(refreshKit).then(flush);
  }

  // Forms of the page posted with no connection go to the queue.
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (!f.matches) {
      return;
    }
    if (f.matches("form.search-big") && (down || navigator.onLine === false) && kit) {
      e.preventDefault();
      var q = f.querySelector("#q");
      render(q ? q.value : "");
      return;
    }
    if (!f.matches("form.act, form.queue")) {
      return;
    }
    // The settings as chosen now go with every form, online too.
    var s = settings();
    ["receiver", "observer"].forEach(function (k) {
      var inp = f.querySelector('input[type="hidden"][name="' + k + '"]');
      if (inp && s[k]) {
        inp.value = s[k];
      }
    });
    if (!(down || navigator.onLine === false)) {
      return;
    }
    e.preventDefault();
    var ev = formEvent(f);
    enqueue(ev, labelOf(f, ev)).then(function () {
      var box = document.getElementById("q");
      if (box) {
        box.value = "";
        box.focus();
      }
    });
  });

  window.addEventListener("offline", goneDown);
  window.addEventListener("online", backUp);
  document.body.addEventListener("htmx:sendError", goneDown);
  // The parity panel's poll, when the session has ended, would take the
  // whole page to the login page: the screen stays, and asks instead.
  document.body.addEventListener("htmx:beforeOnLoad", function (e) {
    var x = e.detail && e.detail.xhr;
    var to = x && x.getResponseHeader("HX-Redirect");
    if (to && to.indexOf("/login") === 0) {
      e.preventDefault();
      if (!needLogin) {
        needLogin = true;
        show();
      }
    }
  });
  document.body.addEventListener("htmx:afterRequest", function (e) {
    if (e.detail && e.detail.successful && down) {
      backUp();
    }
  });
  setInterval(function () {
    if (down || navigator.onLine === false) {
      refreshKit(); // is the connection back?
    } else {
      flush();
    }
  }, 10000);
  setInterval(function () {
    if (!down && navigator.onLine !== false) {
      refreshKit();
    }
  }, 60000);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.active && navigator.onLine !== false) {
        reg.active.postMessage({ keep: location.pathname });
      }
    });
  }
  restoreSettings();
  // Events left "sent" by a page closed mid-request were never answered.
  tx("queue", "readwrite", function (s) {
    var req = s.getAll();
    req.onsuccess = function () {
      req.result.forEach(function (e) {
        if (e.user === user && e.base === base && e.state === "sent") {
          e.state = "waiting";
          s.put(e);
        }
        if (e.state === "accepted" && e.at && Date.now() - e.at > 12 * 3600 * 1000) {
          s.delete(e.id);
        }
      });
    };
  }).then(function () {
    // Another account's kits on this device (a session that ended without
    // a logout, then someone else logged in): not this officer's to keep.
    return tx("kits", "readwrite", function (s) {
      var req = s.openCursor();
      req.onsuccess = function () {
        var c = req.result;
        if (c) {
          if (c.value.user !== user) {
            c.delete();
          }
          c.continue();
        }
      };
    });
  }).then(loadKit).then(show).then(function () {
    var q = new URLSearchParams(location.search).get("q");
    // A search with no connection (the page is the worker's copy): the
    // kit answers it.
    if (q && (down || navigator.onLine === false) && !document.querySelector("section.hits article.person")) {
      var box = document.getElementById("q");
      if (box) {
        box.value = q;
      }
      render(q);
    }
    net.dataset.ready = "1";
    if (!down) {
      return refreshKit().then(flush);
    }
  }).then(function () {
    net.dataset.ready = "2";
    show();
  });
})();
