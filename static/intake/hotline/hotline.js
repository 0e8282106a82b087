/* The hotline console's call form: the address suggestions (fetched by htmx as the acceptor
 * types) chosen with the keyboard or the mouse, and a small map whose pin can be placed by a
 * click and dragged. Wherever the pin goes, the form's lon/lat follow and the server says
 * where it lies (street, community, unit grid), drawn back as the grid's outline.
 * Everything comes from the #hotline-map-config JSON element: the CSP allows no inline script.
 */
(function () {
  "use strict";

  const form = document.getElementById("call-form");
  const holder = document.getElementById("hotline-map-config");
  if (!form || !holder) return;
  const config = JSON.parse(holder.textContent);
  const address = form.elements.namedItem("address");
  const lonInput = form.elements.namedItem("lon");
  const latInput = form.elements.namedItem("lat");
  const hits = document.getElementById("address-hits");
  const placement = document.getElementById("placement");
  let map = null;
  let marker = null;
  let outline = null;

  function drawOutline() {
    const facts = placement.querySelector("[data-outline]");
    if (outline) {
      outline.remove();
      outline = null;
    }
    if (!map || !facts) return;
    const geometry = JSON.parse(facts.dataset.outline);
    if (!geometry) return;
    outline = L.geoJSON(geometry, {
      style: { color: "#c62828", weight: 2, fillOpacity: 0.06, className: "hotline-grid" },
      interactive: false,
    }).addTo(map);
  }

  function askWhere(lon, lat) {
    const query = new URLSearchParams({ lon: lon, lat: lat });
    window.htmx.ajax("GET", config.placeUrl + "?" + query, { target: placement, swap: "innerHTML" });
  }

  // The pin at lon/lat, the form's fields set; `ask` the server where it lies.
  function put(lon, lat, ask) {
    const stale = form.querySelector("[data-testid=place-error]");
    if (stale) stale.remove(); // "choose the place", said before there was one
    lonInput.value = Number(lon).toFixed(7);
    latInput.value = Number(lat).toFixed(7);
    if (map) {
      if (!marker) {
        marker = L.marker([lat, lon], { draggable: true, autoPan: true }).addTo(map);
        marker.on("dragend", function () {
          const moved = marker.getLatLng();
          put(moved.lng, moved.lat, true);
        });
      } else {
        marker.setLatLng([lat, lon]);
      }
      map.setView([lat, lon], Math.max(map.getZoom(), 17));
    }
    if (ask) askWhere(lonInput.value, latInput.value);
  }

  function setUpMap() {
    const element = document.getElementById("hotline-map");
    if (!element || !window.L) return;
    map = L.map(element, { minZoom: 5, maxZoom: 20, scrollWheelZoom: false });
    window.urbangridHotlineMap = map; // for the browser tests
    window.urbangridTiles(map, config.tiles);
    window.urbangridOutlines(map, config.outlines);
    if (config.bounds) {
      const [west, south, east, north] = config.bounds;
      map.fitBounds([
        [south, west],
        [north, east],
      ]);
    } else {
      map.setView([35, 105], 4); // no territory yet: China
    }
    map.on("click", function (event) {
      put(event.latlng.lng, event.latlng.lat, true);
    });
    if (lonInput.value && latInput.value) {
      put(Number(lonInput.value), Number(latInput.value), false); // a refused form, shown again
      drawOutline();
    }
  }

  function hitButtons() {
    return Array.from(hits.querySelectorAll("button.hit:not([disabled])"));
  }

  function choose(button) {
    address.value = button.dataset.label;
    hits.replaceChildren();
    put(Number(button.dataset.lon), Number(button.dataset.lat), true);
    address.focus();
  }

  hits.addEventListener("click", function (event) {
    const button = event.target.closest("button.hit");
    if (button && !button.disabled) choose(button);
  });

  hits.addEventListener("keydown", function (event) {
    const buttons = hitButtons();
    const at = buttons.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && at < buttons.length - 1) {
      buttons[at + 1].focus();
    } else if (event.key === "ArrowUp") {
      (at > 0 ? buttons[at - 1] : address).focus();
    } else if (event.key === "Escape") {
      hits.replaceChildren();
      address.focus();
    } else {
      return;
    }
    event.preventDefault();
  });

  address.addEventListener("keydown", function (event) {
    const buttons = hitButtons();
    if (event.key === "ArrowDown" && buttons.length) {
      event.preventDefault();
      buttons[0].focus();
    } else if (event.key === "Enter") {
      event.preventDefault(); // Enter in the address chooses, it does not send the form
      if (buttons.length) choose(buttons[0]);
    } else if (event.key === "Escape") {
      hits.replaceChildren();
    }
  });

  placement.addEventListener("htmx:afterSwap", drawOutline);

  // One click records one call: the request id would catch a second one anyway.
  const submit = form.querySelector("button[type=submit]");
  form.addEventListener("submit", function () {
    window.setTimeout(function () {
      submit.disabled = true;
    }, 0);
  });
  window.addEventListener("pageshow", function () {
    submit.disabled = false; // back to a page kept in the browser's cache
  });

  setUpMap();
})();
