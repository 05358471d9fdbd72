// The service worker of the citizen's pages, served as /sw.js (web/offline.py puts the list
// PRECACHE, the content-hash URLs of the files the SOS page needs, above this text).
// - /citizen and /citizen/sos/<id>: from the network; the last good copy is kept, and opened
//   when the network cannot be reached, so the SOS button is there offline (sos.js keeps an
//   SOS pressed offline and sends it when the connection returns).
// - The files in PRECACHE: kept at install, served from here (their URLs change with them).
// - Everything else (the Dash pages, every POST): not touched.
// - Logging out or in forgets the kept pages: they show the person's name.
// - OFFLINE_WORDS (also put above this text): the words of the page shown offline when nothing was
//   kept, in the language of the person who fetched this worker (a new choice changes the worker).
"use strict";
var VERSION = "hf-" + PRECACHE.join("|").length + "-" + PRECACHE.map(function (u) { return u.split("m=")[1] || ""; }).join("");
var FILES = "hf-files-" + VERSION;
var PAGES = "hf-pages";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(FILES).then(function (cache) { return cache.addAll(PRECACHE); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.indexOf("hf-files-") === 0 && name !== FILES; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function isCitizenPage(url) {
  return url.pathname === "/citizen" || /^\/citizen\/sos\/\d+$/.test(url.pathname);
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname === "/logout" || url.pathname === "/login") {
    caches.delete(PAGES);
    return;
  }
  if (request.method !== "GET") { return; }
  if (PRECACHE.indexOf(url.pathname + url.search) >= 0) {
    event.respondWith(caches.match(request).then(function (found) { return found || fetch(request); }));
    return;
  }
  if (request.mode === "navigate" && isCitizenPage(url)) {
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(PAGES).then(function (cache) { cache.put(url.pathname, copy); });
      }
      return response;
    }).catch(function () {
      return caches.open(PAGES).then(function (cache) {
        return cache.match(url.pathname).then(function (found) {
          return found || cache.match("/citizen").then(function (page) {
            var link = "<a href=\"tel:" + EMERGENCY_NUMBER + "\">" + EMERGENCY_NUMBER + "</a>";
            return page || new Response("<!doctype html><html lang=\"" + OFFLINE_WORDS.lang + "\"><title>" +
              OFFLINE_WORDS.title + "</title><main><h1>" + OFFLINE_WORDS.title + "</h1><p>" +
              OFFLINE_WORDS.call.split("%(number)s").join(link) + "</p></main></html>",
              { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
          });
        });
      });
    }));
  }
});
