/* The inspector app's service worker (scope /m/): it keeps the app shell so the app opens
 * without a network. Pages are asked of the network first (they carry the session), the
 * shell's static files of the cache first; nothing else (the API, reports, photos) is cached:
 * the app's outbox keeps what waits to be sent. */
const CACHE = "urbangrid-mobile-{{ version }}";
const SHELL = {{ shell|safe }};
const APP = "{{ app }}";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("urbangrid-mobile-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === APP) {
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok && !response.redirected) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(APP, copy));
          }
          return response;
        })
        .catch(() => caches.match(APP)),
    );
    return;
  }
  if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});
