/* The inspector app (城管通): report a problem with photos and a pin, answer verify (核实) and
 * check (核查) tasks, go on and off duty with position pings, see my reports.
 *
 * A poor network never loses or duplicates a report: each one is put in the outbox
 * (queue.js) first, with a request_id made here and the time it was made here (observed_at);
 * sender.js sends it. net.js holds the configuration, texts and requests.
 */
(function () {
  "use strict";

  const { config, S, fmt, serverTime, newId, el, localTime, metres, distanceText } =
    window.UgMobile;
  const { call, verdict, later, message, errorCode } = window.UgMobile;
  const API = config.urls.api;
  const RETRY_MS = 30000;
  const PING_MS = 30000;
  const MAX_BUFFERED_PINGS = 120;
  const PHOTO_KEEP_BYTES = 9 * 1024 * 1024; // larger photos are shrunk on the phone first
  const $ = (id) => document.getElementById(id);

  let outbox = null;
  let sender = null;
  let position = null; // {lon, lat, accuracy} of the phone
  let pin = null; // {lon, lat} of the report
  let pinMoved = false;
  let component = null;
  let photos = [];
  let onDuty = false;
  let watchId = null;
  let pings = [];
  let lastPingAt = 0;
  let lastFixSent = 0;
  let mineOffset = 0;

  // -- small helpers ------------------------------------------------------------------------

  function flash(text) {
    const box = $("flash");
    box.textContent = text;
    box.hidden = !text;
  }

  // -- network state ------------------------------------------------------------------------

  function showNetwork() {
    const net = $("net");
    net.textContent = navigator.onLine ? S.online : S.offline;
    net.className = navigator.onLine ? "m-net on" : "m-net off";
  }

  // -- the map and the position -------------------------------------------------------------

  let map = null;
  let marker = null;
  let grids = null;
  let gridsAt = "";

  function setupMap() {
    if (!window.L) return;
    map = L.map($("map"), { zoomControl: true, minZoom: 5, maxZoom: 20 });
    window.urbangridMobileMap = map; // for the browser tests
    if (config.tiles.url) {
      const attribution = el("span", "", config.tiles.attribution);
      L.tileLayer(config.tiles.url, {
        attribution: attribution.innerHTML,
        maxNativeZoom: 18,
        maxZoom: 20,
      }).addTo(map);
    }
    grids = L.geoJSON(null, {
      style: { color: "#2e7d5b", weight: 1, fillOpacity: 0.03, className: "ug-grid" },
    }).addTo(map);
    map.setView([26.6, 106.7], 12);
    map.on("click", (event) => {
      if (!component) movePin(event.latlng.lng, event.latlng.lat, true);
    });
  }

  function movePin(lon, lat, byHand) {
    pin = { lon, lat };
    if (byHand) pinMoved = true;
    if (map) {
      if (!marker) {
        marker = L.marker([lat, lon], { draggable: true, autoPan: true, title: S.pinTitle });
        marker.on("dragend", () => {
          const at = marker.getLatLng();
          movePin(at.lng, at.lat, true);
        });
        marker.addTo(map);
        map.setView([lat, lon], 18);
      } else {
        marker.setLatLng([lat, lon]);
      }
    }
    showWhere();
    loadGrids();
    loadNearby();
  }

  function showWhere() {
    if (!pin) return;
    let text = fmt(S.pinAt, { lon: pin.lon.toFixed(6), lat: pin.lat.toFixed(6) });
    if (!pinMoved && position && position.accuracy) {
      text += " " + fmt(S.accuracy, { m: Math.round(position.accuracy) });
    }
    $("where").textContent = text;
  }

  async function loadGrids() {
    if (!map || !pin || config.tiles.url) return; // with a base map the grids are not needed
    const d = 0.003;
    const box = [pin.lon - d, pin.lat - d, pin.lon + d, pin.lat + d].map((v) => v.toFixed(5));
    const key = box.join(",");
    if (key === gridsAt) return;
    gridsAt = key;
    const answer = await call("GET", `${config.urls.grids}?bbox=${key}`);
    if (answer.ok && answer.data && answer.data.features) {
      grids.clearLayers();
      grids.addData(answer.data);
    }
  }

  function onPosition(fix) {
    position = {
      lon: fix.coords.longitude,
      lat: fix.coords.latitude,
      accuracy: fix.coords.accuracy,
      at: serverTime(fix.timestamp || Date.now()),
    };
    if (!pinMoved) movePin(position.lon, position.lat, false);
    if (onDuty) maybePing();
    sortTasks();
  }

  function onPositionError() {
    if (!pin) $("where").textContent = S.noPosition;
  }

  function watchPosition() {
    if (!("geolocation" in navigator)) {
      $("where").textContent = S.noPosition;
      return;
    }
    if (watchId !== null) navigator.geolocation.clearWatch(watchId);
    watchId = navigator.geolocation.watchPosition(onPosition, onPositionError, {
      enableHighAccuracy: true,
      maximumAge: 10000,
      timeout: 30000,
    });
  }

  // -- nearby components and types ----------------------------------------------------------

  let nearbyTimer = null;

  function loadNearby() {
    clearTimeout(nearbyTimer);
    nearbyTimer = setTimeout(async () => {
      if (!pin || !navigator.onLine) return;
      const query = `lon=${pin.lon.toFixed(7)}&lat=${pin.lat.toFixed(7)}&within=50&limit=6`;
      const answer = await call("GET", `${API}components/nearest?${query}`);
      const box = $("near");
      box.replaceChildren();
      const items = answer.ok && answer.data ? answer.data.items : [];
      $("near-box").hidden = items.length === 0;
      for (const item of items) {
        const chip = el("button", "m-chip");
        chip.type = "button";
        chip.textContent = `${item.type.name} ${item.identifier.slice(-6)} · ${distanceText(
          item.distance_m,
        )}`;
        chip.addEventListener("click", () => chooseComponent(item));
        box.append(chip);
      }
    }, 600);
  }

  function chooseComponent(item) {
    component = item;
    const shown = $("component");
    shown.replaceChildren(
      el("span", "", fmt(S.componentChosen, { name: item.name || item.type.name, id: item.identifier })),
    );
    const clear = el("button", "m-small", S.clear);
    clear.type = "button";
    clear.addEventListener("click", () => {
      component = null;
      shown.hidden = true;
      $("type").disabled = false;
      if (marker) marker.dragging.enable();
    });
    shown.append(clear);
    shown.hidden = false;
    // The component fixes the type and the position (its surveyed point).
    $("type").value = `${item.type.code}`;
    $("type").disabled = true;
    movePin(item.lon, item.lat, true);
    if (marker) marker.dragging.disable();
  }

  function fillTypes(items) {
    const select = $("type");
    const first = select.options[0];
    select.replaceChildren(first);
    const frequent = el("optgroup");
    frequent.label = S.frequentTypes;
    const others = el("optgroup");
    others.label = S.allTypes;
    for (const item of items) {
      const option = el("option", "", `${item.name} (${item.code})`);
      option.value = item.code;
      option.dataset.kind = item.kind;
      (item.frequent ? frequent : others).append(option);
    }
    if (frequent.children.length) select.append(frequent);
    select.append(others);
  }

  async function loadTypes() {
    const kept = localStorage.getItem("urbangrid-mobile-types");
    if (kept) fillTypes(JSON.parse(kept));
    const answer = await call("GET", config.urls.types);
    if (answer.ok) {
      localStorage.setItem("urbangrid-mobile-types", JSON.stringify(answer.data.items));
      fillTypes(answer.data.items);
    }
  }

  // -- photos --------------------------------------------------------------------------------

  /* A photo kept as it is when small enough (its EXIF time and place stay), else shrunk to
   * the size the server keeps anyway, so a poor network carries less. */
  async function prepared(file) {
    if (file.size <= PHOTO_KEEP_BYTES || !window.createImageBitmap) return file;
    try {
      const bitmap = await createImageBitmap(file);
      const scale = Math.min(1, 2560 / Math.max(bitmap.width, bitmap.height));
      const canvas = el("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return await new Promise((resolve) => canvas.toBlob((b) => resolve(b || file), "image/jpeg", 0.85));
    } catch (error) {
      return file;
    }
  }

  function thumbnail(blob, holder) {
    // img-src allows data: URLs, not blob: ones.
    const reader = new FileReader();
    reader.onload = () => {
      const img = el("img", "m-thumb");
      img.src = reader.result;
      img.alt = S.photo;
      holder.append(img);
    };
    reader.readAsDataURL(blob);
  }

  async function takePhotos(input, list, holder) {
    for (const file of Array.from(input.files || [])) {
      const blob = await prepared(file);
      list.push(blob);
      if (holder) thumbnail(blob, holder);
    }
    input.value = "";
  }

  // -- the report form -----------------------------------------------------------------------

  async function submitReport(event) {
    event.preventDefault();
    const error = $("report-error");
    error.hidden = true;
    const description = $("description").value.trim();
    if (!pin) return showError(error, S.needPosition);
    if (!description) return showError(error, S.needDescription);
    const id = newId();
    const body = {
      channel: "inspector",
      description,
      lon: Number(pin.lon.toFixed(7)),
      lat: Number(pin.lat.toFixed(7)),
      crs: "wgs84",
      address: $("address").value.trim(),
      is_urgent: $("urgent").checked,
      request_id: id,
      observed_at: serverTime(Date.now()).toISOString(), // when seen, whenever it is sent
    };
    if (component) {
      body.component = component.identifier;
    } else if ($("type").value) {
      const option = $("type").selectedOptions[0];
      body.type = $("type").value;
      body.kind = option.dataset.kind;
    }
    const item = {
      id,
      kind: "report",
      createdAt: body.observed_at,
      state: "pending",
      error: "",
      attempts: 0,
      report: body,
      number: null,
      stage: "report",
      photos: photos.slice(),
      photosSent: 0,
      photoErrors: [],
      uncertain: false,
    };
    await outbox.put(item);
    resetForm();
    flash(S.queued);
    await showOutbox();
    send();
  }

  function showError(box, text) {
    box.textContent = text;
    box.hidden = false;
  }

  function resetForm() {
    $("description").value = "";
    $("address").value = "";
    $("urgent").checked = false;
    $("type").value = "";
    $("type").disabled = false;
    $("component").hidden = true;
    $("thumbs").replaceChildren();
    component = null;
    if (marker) marker.dragging.enable();
    photos = [];
    pinMoved = false;
    if (position) movePin(position.lon, position.lat, false);
  }

  // -- the outbox ---------------------------------------------------------------------------

  function itemTitle(item) {
    if (item.kind === "report") {
      return item.number
        ? fmt(S.reportNumbered, { number: item.number })
        : item.report.description.slice(0, 40);
    }
    return fmt(item.task.verb === "verify" ? S.verifyOf : S.checkOf, { number: item.task.number });
  }

  function stateText(item) {
    if (item.state === "failed") return `${S.refused}: ${item.error}`;
    if (item.state === "auth") return S.signInAgain;
    if (item.attempts > 0 && item.error) {
      return `${S.waiting} · ${fmt(S.attempts, { n: item.attempts })} · ${item.error}`;
    }
    return S.waiting;
  }

  async function showOutbox() {
    const items = await outbox.all();
    $("pending-count").textContent = String(items.length);
    $("outbox-box").hidden = items.length === 0;
    const list = $("outbox");
    list.replaceChildren();
    for (const item of items) {
      const row = el("li", `m-item ${item.state}`);
      row.dataset.id = item.id;
      row.append(el("strong", "", itemTitle(item)));
      row.append(el("span", "m-muted", `${localTime(item.createdAt)} · ${stateText(item)}`));
      if (item.photos.length) {
        row.append(
          el("span", "m-muted", fmt(S.photosSent, { sent: item.photosSent, all: item.photos.length })),
        );
      }
      const actions = el("div", "m-actions");
      if (item.state === "failed") {
        const discard = el("button", "m-small", S.discard);
        discard.type = "button";
        discard.addEventListener("click", async () => {
          if (window.confirm(S.confirmDiscard)) {
            await outbox.remove(item.id);
            showOutbox();
          }
        });
        actions.append(discard);
      } else {
        const now = el("button", "m-small", S.sendNow);
        now.type = "button";
        now.addEventListener("click", () => send(true));
        actions.append(now);
      }
      row.append(actions);
      list.append(row);
    }
  }

  function send(evenOffline) {
    if (sender) sender.sendAll(evenOffline);
  }

  // -- tasks --------------------------------------------------------------------------------

  let tasks = [];

  async function loadTasks() {
    const answer = await call("GET", `${API}tasks`);
    if (!answer.ok) {
      if (!answer.network) flash(message(answer));
      return;
    }
    // A task answered on the phone but not sent yet is still open on the server: not twice.
    const queued = new Set(
      (outbox ? await outbox.all() : [])
        .filter((item) => item.kind === "task" && item.state !== "failed")
        .map((item) => item.task.id),
    );
    tasks = answer.data.filter((task) => !queued.has(task.id));
    sortTasks();
  }

  function sortTasks() {
    if (position) {
      for (const task of tasks) task.distance = metres(position, task.case);
      tasks.sort((a, b) => a.distance - b.distance);
    }
    showTasks();
  }

  function showTasks() {
    const list = $("tasks");
    if (list.querySelector("form")) return; // not while an answer is being written
    list.replaceChildren();
    $("tasks-empty").hidden = tasks.length > 0;
    const count = $("tasks-count");
    count.textContent = String(tasks.length);
    count.hidden = tasks.length === 0;
    for (const task of tasks) list.append(taskRow(task));
  }

  function taskRow(task) {
    const row = el("li", "m-item");
    row.dataset.number = task.case.number;
    const head = el("div", "m-row");
    const light = el("span", `light ${task.case.light || ""}`);
    light.title = S.lights[task.case.light] || "";
    head.append(light, el("strong", "", `${task.kind === "verify" ? S.verify : S.check} ${task.case.number}`));
    row.append(head);
    row.append(el("span", "", [task.case.type ? task.case.type.name : "", task.case.address].filter(Boolean).join(" · ")));
    const facts = [fmt(S.due, { at: localTime(task.due_at) })];
    if (task.distance !== undefined) facts.push(distanceText(task.distance));
    row.append(el("span", "m-muted", facts.join(" · ")));
    const open = el("button", "m-small", S.answer);
    open.type = "button";
    open.addEventListener("click", () => {
      open.hidden = true;
      row.append(taskForm(task));
    });
    row.append(open);
    return row;
  }

  function taskForm(task) {
    const form = $("task-form").content.firstElementChild.cloneNode(true);
    form.classList.add(task.kind === "verify" ? "is-verify" : "is-check");
    const taken = [];
    const input = form.querySelector('input[type="file"]');
    const holder = el("div", "m-thumbs");
    input.after(holder);
    input.addEventListener("change", () => takePhotos(input, taken, holder));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const chosen = form.querySelector('input[name="answer"]:checked');
      const error = form.querySelector(".m-error");
      if (!chosen) return showError(error, S.chooseAnswer);
      const yes = chosen.value === "yes";
      const reason = form.querySelector("textarea").value.trim();
      const verb = task.kind === "verify" ? "verify" : "check";
      const body = verb === "verify" ? { found: yes, reason } : { passed: yes, reason };
      const now = new Date().toISOString();
      await outbox.put({
        id: newId(),
        kind: "task",
        createdAt: now,
        state: "pending",
        error: "",
        attempts: 0,
        task: { id: task.id, number: task.case.number, verb, body },
        stage: verb === "verify" ? "report" : "check",
        photos: taken,
        photosSent: 0,
        photoErrors: [],
        uncertain: false,
      });
      tasks = tasks.filter((t) => t.id !== task.id);
      form.remove();
      showTasks();
      flash(S.queued);
      await showOutbox();
      send();
    });
    return form;
  }

  // -- my reports ---------------------------------------------------------------------------

  let mineTicket = 0;

  async function loadMine(fresh) {
    if (fresh) mineOffset = 0;
    const ticket = ++mineTicket;
    const answer = await call("GET", `${config.urls.reports}?offset=${mineOffset}&limit=20`);
    if (!answer.ok || ticket !== mineTicket) return; // a later request answers instead
    const list = $("mine");
    if (fresh) list.replaceChildren();
    if (answer.data.total === 0) list.append(el("li", "m-muted", S.noReports));
    for (const report of answer.data.items) {
      const row = el("li", "m-item");
      row.dataset.number = report.number;
      const head = el("div", "m-row");
      head.append(el("strong", "", report.number), el("span", `m-status ${report.status}`, report.status_label));
      row.append(head);
      row.append(el("span", "", [report.type, report.description].filter(Boolean).join(" · ")));
      row.append(el("span", "m-muted", localTime(report.observed_at || report.created_at)));
      list.append(row);
    }
    mineOffset += answer.data.items.length;
    $("mine-more").hidden = mineOffset >= answer.data.total;
  }

  // -- duty and pings -----------------------------------------------------------------------

  function showDuty() {
    localStorage.setItem(`urbangrid-mobile-duty-${config.user}`, onDuty ? "1" : "");
    const button = $("duty");
    button.textContent = onDuty ? S.goOffDuty : S.goOnDuty;
    button.setAttribute("aria-pressed", String(onDuty));
    button.classList.toggle("on", onDuty);
  }

  async function loadDuty() {
    const answer = await call("GET", config.urls.duty);
    if (answer.ok) {
      onDuty = answer.data.on_duty;
      showDuty();
    }
  }

  async function toggleDuty() {
    const body = { on_duty: !onDuty, user: config.user }; // never someone else's duty
    const answer = await call("POST", config.urls.duty, { json: body });
    if (!answer.ok) {
      flash(answer.network ? S.noConnection : message(answer));
      return;
    }
    onDuty = answer.data.on_duty;
    showDuty();
    flash(onDuty ? S.nowOnDuty : S.nowOffDuty);
    if (onDuty) {
      lastPingAt = 0;
      freshFix(); // a fix measured now, not one from before the duty began
    } else {
      pings = [];
    }
  }

  /* A fresh fix every PING_MS while on duty: a phone standing still reports no new position
   * by itself, and a silent inspector drops out of "nearest on duty". */
  function freshFix() {
    if (!onDuty || !("geolocation" in navigator)) return;
    navigator.geolocation.getCurrentPosition(onPosition, onPositionError, {
      enableHighAccuracy: true,
      maximumAge: PING_MS / 2,
      timeout: 20000,
    });
  }

  function maybePing() {
    if (!onDuty || !position || Date.now() - lastPingAt < PING_MS) return;
    if (position.at.getTime() === lastFixSent) return; // the same fix again says nothing new
    lastPingAt = Date.now();
    lastFixSent = position.at.getTime();
    pings.push({
      at: position.at.toISOString(),
      lon: Number(position.lon.toFixed(7)),
      lat: Number(position.lat.toFixed(7)),
      accuracy: position.accuracy ? Math.min(Math.round(position.accuracy), 5000) : null,
    });
    pings = pings.slice(-MAX_BUFFERED_PINGS);
    sendPings();
  }

  async function sendPings() {
    if (!pings.length || !navigator.onLine) return;
    const batch = pings.slice();
    const body = { pings: batch, user: config.user }; // never as someone signed in since
    const answer = await call("POST", config.urls.pings, { json: body });
    const result = verdict(answer);
    if (later(result) || result === "auth") return; // kept for later
    pings = pings.slice(batch.length); // stored, or refused: a bad fix must not block the rest
    if (result === "refused" && errorCode(answer) === "not_on_duty") {
      onDuty = false;
      showDuty();
    }
  }

  /* On a shared phone the next person must not open this inspector's page offline: the
   * service worker's copy of it goes before the sign-out. The outbox stays: it is this
   * inspector's alone and is sent when they sign in again. */
  async function signOut(event) {
    event.preventDefault();
    if ("caches" in window) {
      for (const name of await caches.keys()) {
        if (name.startsWith("urbangrid-mobile-")) {
          const cache = await caches.open(name);
          await cache.delete(location.pathname);
        }
      }
    }
    event.target.submit();
  }

  // -- tabs and start ------------------------------------------------------------------------

  function showTab(name) {
    for (const button of document.querySelectorAll(".m-nav button")) {
      const current = button.dataset.tab === name;
      if (current) button.setAttribute("aria-current", "page");
      else button.removeAttribute("aria-current");
      $(`tab-${button.dataset.tab}`).hidden = !current;
    }
    if (name === "tasks") loadTasks();
    if (name === "mine") loadMine(true);
    if (name === "report" && map) map.invalidateSize();
  }

  async function start() {
    showNetwork();
    onDuty = localStorage.getItem(`urbangrid-mobile-duty-${config.user}`) === "1"; // until asked
    showDuty();
    setupMap();
    watchPosition();
    for (const button of document.querySelectorAll(".m-nav button")) {
      button.addEventListener("click", () => showTab(button.dataset.tab));
    }
    $("report").addEventListener("submit", submitReport);
    $("photos").addEventListener("change", () => takePhotos($("photos"), photos, $("thumbs")));
    $("locate").addEventListener("click", () => {
      pinMoved = false;
      if (position) movePin(position.lon, position.lat, false);
      watchPosition();
    });
    $("duty").addEventListener("click", toggleDuty);
    $("sign-out").addEventListener("submit", signOut);
    $("tasks-refresh").addEventListener("click", loadTasks);
    $("mine-refresh").addEventListener("click", () => loadMine(true));
    $("mine-more").addEventListener("click", () => loadMine(false));
    window.addEventListener("online", () => {
      showNetwork();
      send();
      sendPings();
    });
    window.addEventListener("offline", showNetwork);
    try {
      outbox = await window.UgOutbox.open(config.user);
    } catch (error) {
      flash(S.noStorage);
      return;
    }
    sender = window.UgMobile.createSender(outbox, {
      flash,
      changed: showOutbox,
      sent: (item) => (item.kind === "report" ? loadMine(true) : loadTasks()),
      refused: (item) => {
        if (item.kind === "task") {
          flash(`${itemTitle(item)}: ${item.error}`);
          loadTasks();
        }
      },
    });
    await showOutbox();
    setInterval(() => send(), RETRY_MS);
    setInterval(() => {
      freshFix();
      sendPings();
    }, PING_MS);
    send();
    loadDuty();
    loadTypes();
    loadTasks();
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(config.urls.worker, { scope: "./" }).catch(() => {});
    }
  }

  start();
})();
