// The service worker of the officer's screen: it keeps the page's shell
// (stylesheet, scripts) and the last copy of each stage screen the officer
// opened (without a search, so with no person's card in it), and serves
// them when there is no connection; the stage kit and the queue are in
// IndexedDB (offline.js). A page asks it to forget the stage screens when
// the officer logs out.
"use strict";

var SHELL = "handover-shell-1";
var PAGES = "handover-pages-1";
var FILES = ["/static/app.css", "/static/app.js", "/static/fold.js", "/static/offline.js", "/static/vendor/htmx/htmx.min.js"];
var STAGE = /^\/exchanges\/[^/]+\/stages\/[0-9]+$/;

self.addEventListener("install", function (e) {
  e.waitUntil(caches.open(SHELL).then(function (c) { return c.addAll(FILES); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== SHELL && k !== PAGES; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("message", function (e) {
  if (e.data === "forget") {
    e.waitUntil(caches.delete(PAGES));
    return;
  }
  // A stage screen asks to be kept (the first visit is not yet through
  // the worker): its page without a search.
  if (e.data && typeof e.data.keep === "string" && STAGE.test(e.data.keep)) {
    e.waitUntil(fetch(e.data.keep, { credentials: "same-origin", redirect: "manual" }).then(function (r) {
      if (r.ok && r.type === "basic") {
        return caches.open(PAGES).then(function (c) { return c.put(e.data.keep, r); });
      }
    }).catch(function () {}));
  }
});

self.addEventListener("fetch", function (e) {
  var req = e.request;
  if (req.method !== "GET") {
    return;
  }
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    // The network first (a new version of a script), the copy without it.
    e.respondWith(fetch(req).then(function (r) {
      if (r.ok) {
        var copy = r.clone();
        caches.open(SHELL).then(function (c) { c.put(url.pathname, copy); });
      }
      return r;
    }).catch(function () {
      return caches.match(url.pathname).then(function (r) { return r || Response.error(); });
    }));
    return;
  }
  if (req.mode === "navigate" && STAGE.test(url.pathname)) {
    e.respondWith(fetch(req).then(function (r) {
      var q = url.searchParams;
      if (r.ok && !r.redirected && !q.has("q") && !q.has("done")) {
        var copy = r.clone();
        caches.open(PAGES).then(function (c) { c.put(url.pathname, copy); });
      }
      return r;
    }).catch(function () {
      return caches.open(PAGES).then(function (c) { return c.match(url.pathname); }).then(function (r) { return r || Response.error(); });
    }));
  }
});
