/* The component layer (部件) of the map page: the components in view, from a zoom level on,
 * drawn as circles on one canvas, filtered by major class, type and status; a click on a
 * circle shows what it is and links to its page.
 *
 * Loaded after static/geo/map.js, which leaves the map in window.urbangridMap, adds
 * overlays to its layer control through window.urbangridOverlay, loads the rows in view
 * through window.urbangridBoxLoader and draws popups with window.urbangridCard. Settings and
 * texts come from `components` in the #map-config JSON element. The canvas is deaf to the mouse, so the unit grids
 * under it keep their hover and click; clicks are matched to circles here instead.
 */
(function () {
  "use strict";

  const map = window.urbangridMap;
  const holder = document.getElementById("map-config");
  const config = holder && JSON.parse(holder.textContent).components;
  if (!map || !config) return;
  const text = config.text;
  const note = document.getElementById("component-note");
  const filters = {
    major: document.getElementById("component-major"),
    type: document.getElementById("component-type"),
    status: document.getElementById("component-status"),
  };
  const colours = {
    intact: "#2e7d32",
    damaged: "#ef6c00",
    missing: "#c62828",
    abandoned: "#6d4c41",
    removed: "#757575",
  };
  const RADIUS = 4;
  const HIT_PIXELS = RADIUS + 4;

  const pane = map.createPane("components");
  pane.style.zIndex = 440; // above the grids, below the outlines
  pane.style.pointerEvents = "none";
  const renderer = L.canvas({ pane: "components", padding: 0.2 });
  const layer = L.layerGroup().addTo(map);
  let shown = []; // {latlng, row} of the circles drawn, for the clicks
  let answer = null;
  // Made before whenReady below, which runs its callback at once on a map already shown.
  const refresh = window.urbangridBoxLoader(layer, config, text, filters, draw, clear);

  if (window.urbangridOverlay) window.urbangridOverlay("components", layer, text.layer);
  map.whenReady(() => {
    map.on("moveend", refresh);
    map.on("overlayadd", (event) => event.layer === layer && refresh());
    map.on("overlayremove", (event) => event.layer === layer && clear(""));
    map.on("click", pick);
    refresh();
  });
  filters.major.addEventListener("change", () => {
    narrowTypes();
    refresh();
  });
  filters.type.addEventListener("change", refresh);
  filters.status.addEventListener("change", refresh);

  function narrowTypes() {
    // Only the types of the chosen major class can be picked.
    const major = filters.major.value;
    for (const option of filters.type.options) {
      option.hidden = Boolean(major && option.value && option.dataset.major !== major);
    }
    const chosen = filters.type.selectedOptions[0];
    if (chosen && chosen.hidden) filters.type.value = "";
  }

  // -- drawing ---------------------------------------------------------------------------------

  function clear(message) {
    layer.clearLayers();
    shown = [];
    answer = null;
    say(message);
    map.getContainer().dataset.components = "0";
  }

  function draw(data) {
    clear(data.too_many ? data.message : text.shown.replace("{n}", data.count));
    if (data.too_many) return;
    answer = data;
    for (const row of data.rows) {
      const latlng = L.latLng(row[2], row[1]);
      const status = config.statuses[row[4]][0];
      L.circleMarker(latlng, {
        renderer: renderer,
        interactive: false,
        radius: RADIUS,
        weight: 1,
        color: "#ffffff",
        fillColor: colours[status] || "#1565c0",
        fillOpacity: 0.9,
      }).addTo(layer);
      shown.push({ latlng: latlng, row: row });
    }
    // How many circles are drawn: the canvas has no elements the browser tests could count.
    map.getContainer().dataset.components = String(shown.length);
  }

  function say(message) {
    note.textContent = message || "";
  }

  // -- clicks ----------------------------------------------------------------------------------

  function pick(event) {
    if (!answer || !shown.length) return;
    let best = null;
    let bestDistance = HIT_PIXELS;
    for (const item of shown) {
      const distance = map.latLngToContainerPoint(item.latlng).distanceTo(event.containerPoint);
      if (distance <= bestDistance) {
        best = item;
        bestDistance = distance;
      }
    }
    if (best) {
      L.popup({ offset: [0, -RADIUS] })
        .setLatLng(best.latlng)
        .setContent(card(best.row))
        .openOn(map);
    }
  }

  function card(row) {
    const [identifier, , , typeAt, statusAt, ownerAt] = row;
    const type = answer.types[typeAt];
    const facts = [
      [text.identifier, identifier],
      [text.type, type[0] + " " + type[1]],
      [text.status, config.statuses[statusAt][1]],
      [text.owner, ownerAt >= 0 ? answer.owners[ownerAt] : "—"],
    ];
    const url = config.pageUrl.replace("IDENTIFIER", encodeURIComponent(identifier));
    return window.urbangridCard("component", facts, url, text.open);
  }
})();
