/* The portal's report form: a map pin (tap to place, drag to move, or "use my position"),
 * an address search that places the pin, and checks of the photos before sending.
 *
 * Settings and texts come from the #report-config JSON element (the Content-Security-Policy
 * allows no inline script). The form works without this script too: the address typed is then
 * looked up by the server. Texts from the server are shown with textContent, never as HTML.
 */
(function () {
  "use strict";

  const holder = document.getElementById("report-config");
  const form = document.getElementById("report-form");
  if (!holder || !form) return;
  const config = JSON.parse(holder.textContent);
  const text = config.text;
  const lonInput = document.getElementById("id_lon");
  const latInput = document.getElementById("id_lat");
  const addressInput = document.getElementById("id_address");
  const statusLine = document.getElementById("map-status");
  const results = document.getElementById("address-results");
  const searchButton = document.getElementById("address-search");
  const locateButton = document.getElementById("locate");
  const photoInput = document.getElementById("id_photos");
  const photoStatus = document.getElementById("photo-status");
  const sendButton = document.getElementById("send");
  const sendLabel = sendButton.textContent;

  // -- the map and its pin -------------------------------------------------------------------
  let map = null;
  let pin = null;
  if (window.L) {
    map = L.map("report-map", { minZoom: 5, maxZoom: 20 });
    window.urbangridReportMap = map; // for the browser tests
    window.urbangridTiles(map, config.tiles);
    map.setView([0, 0], 5);
    map.on("click", (event) => setPin(event.latlng, false));
    loadOutlines();
    const start = (config.pin || []).map(Number);
    if (start.length === 2 && start.every(Number.isFinite)) {
      setPin(L.latLng(start[1], start[0]), true);
    }
  }

  function loadOutlines() {
    window.urbangridOutlines(map, config.outlines).then((shapes) => {
      const bounds = shapes && shapes.getBounds();
      if (!pin && bounds && bounds.isValid()) map.fitBounds(bounds);
    });
  }


  function setPin(latlng, centre) {
    if (!map) return;
    if (!pin) {
      const icon = L.divIcon({ className: "portal-pin", iconSize: [22, 22], iconAnchor: [11, 22] });
      pin = L.marker(latlng, { draggable: true, icon: icon, keyboard: true }).addTo(map);
      pin.on("dragend", () => setPin(pin.getLatLng(), false));
    } else {
      pin.setLatLng(latlng);
    }
    lonInput.value = latlng.lng.toFixed(7);
    latInput.value = latlng.lat.toFixed(7);
    statusLine.textContent = text.pinned;
    if (centre) map.setView(latlng, Math.max(map.getZoom(), 17));
  }

  // -- "use my position" ------------------------------------------------------------------------
  if (map && navigator.geolocation) {
    locateButton.hidden = false;
    locateButton.addEventListener("click", () => {
      statusLine.textContent = text.locating;
      navigator.geolocation.getCurrentPosition(
        (position) =>
          setPin(L.latLng(position.coords.latitude, position.coords.longitude), true),
        () => {
          statusLine.textContent = text.noPosition;
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  }

  // -- address search -------------------------------------------------------------------------
  if (map) {
    searchButton.hidden = false;
    searchButton.addEventListener("click", searchAddress);
    addressInput.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault(); // search rather than send the form half filled
        searchAddress();
      }
    });
  }

  function searchAddress() {
    const query = addressInput.value.trim();
    if (!query) return;
    statusLine.textContent = text.searching;
    const url = `${config.addresses}?q=${encodeURIComponent(query)}`;
    fetch(url, { credentials: "same-origin" })
      .then((response) => response.json().then((body) => ({ ok: response.ok, body: body })))
      .then(({ ok, body }) => {
        if (!ok) {
          statusLine.textContent = (body.error && body.error.message) || text.searchFailed;
          return;
        }
        showResults(body.results);
      })
      .catch(() => {
        statusLine.textContent = text.searchFailed;
      });
  }

  function showResults(found) {
    results.replaceChildren();
    if (!found.length) {
      results.hidden = true;
      statusLine.textContent = text.noAddress;
      return;
    }
    for (const hit of found) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = hit.label;
      button.addEventListener("click", () => {
        addressInput.value = hit.label;
        results.hidden = true;
        setPin(L.latLng(hit.lat, hit.lon), true);
      });
      item.append(button);
      results.append(item);
    }
    results.hidden = false;
    statusLine.textContent = "";
  }

  // -- photos and sending -----------------------------------------------------------------------
  function photoProblem() {
    const files = Array.from(photoInput.files || []);
    if (files.length > config.maxPhotos) return text.tooManyPhotos;
    if (files.some((file) => file.size > config.maxPhotoBytes)) return text.photoTooLarge;
    return "";
  }

  photoInput.addEventListener("change", () => {
    photoStatus.textContent = photoProblem();
  });

  form.addEventListener("submit", (event) => {
    const problem = photoProblem();
    if (problem) {
      event.preventDefault();
      photoStatus.textContent = problem;
      photoInput.focus();
      return;
    }
    // One click, one report: the request id would make a second send harmless anyway.
    sendButton.disabled = true;
    sendButton.textContent = text.sending;
  });

  // Back to this page from the browser's cache: the button must work again.
  window.addEventListener("pageshow", () => {
    sendButton.disabled = false;
    sendButton.textContent = sendLabel;
  });
})();
