/* The cases layer of the map page: the cases the viewer may see in view, filtered by status,
 * type, street and light, each a circle coloured by its light whose popup links to the case.
 *
 * Loaded after static/geo/map.js (window.urbangridMap, window.urbangridOverlay and
 * window.urbangridCard). Settings and texts come from `cases` in the #map-config JSON element.
 */
(function () {
  "use strict";

  const map = window.urbangridMap;
  const holder = document.getElementById("map-config");
  const config = holder && JSON.parse(holder.textContent).cases;
  if (!map || !config) return;
  const text = config.text;
  const note = document.getElementById("case-note");
  const filters = {
    status: document.getElementById("case-status"),
    type: document.getElementById("case-type"),
    street: document.getElementById("case-street"),
    light: document.getElementById("case-light"),
  };
  const colours = { green: "#2e9d4f", yellow: "#e9b400", red: "#c62828" };

  map.createPane("cases").style.zIndex = 445; // above the grids and components, below outlines
  const layer = L.layerGroup().addTo(map);
  // One request at a time; a move meanwhile asks again for the newest view once it is in.
  let loading = false;
  let again = false;

  window.urbangridOverlay("cases", layer, text.layer);
  map.whenReady(() => {
    map.on("moveend", refresh);
    map.on("overlayadd", (event) => event.layer === layer && refresh());
    map.on("overlayremove", (event) => event.layer === layer && clear(""));
    refresh();
  });
  for (const select of Object.values(filters)) select.addEventListener("change", refresh);

  function refresh() {
    if (loading) {
      again = true;
      return;
    }
    if (!map.hasLayer(layer)) return;
    const box = map.getBounds();
    const span = Math.max(box.getEast() - box.getWest(), box.getNorth() - box.getSouth());
    if (map.getZoom() < config.minZoom || span > config.maxBoxDegrees) {
      clear(text.zoomIn);
      return;
    }
    loading = true;
    fetch(config.url + "?" + query(box).toString(), { headers: { Accept: "application/json" } })
      .then(async (response) => {
        const data = await response.json().catch(() => ({}));
        if (!response.ok) throw new Error(data.error ? data.error.message : text.failed);
        if (!again) draw(data);
      })
      .catch((error) => clear(error.message || text.failed))
      .finally(() => {
        loading = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  function query(box) {
    const bbox = [box.getWest(), box.getSouth(), box.getEast(), box.getNorth()]
      .map((value) => value.toFixed(6))
      .join(",");
    const params = new URLSearchParams({ bbox: bbox });
    for (const [name, select] of Object.entries(filters)) {
      if (select.value) params.set(name, select.value);
    }
    return params;
  }

  function clear(message) {
    layer.clearLayers();
    note.textContent = message || "";
    map.getContainer().dataset.cases = "0";
  }

  function draw(data) {
    clear(data.too_many ? data.message : text.shown.replace("{n}", data.count));
    if (data.too_many) return;
    for (const row of data.rows) {
      const light = row[5] >= 0 ? config.lights[row[5]][0] : "none";
      L.circleMarker([row[2], row[1]], {
        pane: "cases",
        radius: 7,
        weight: 2,
        color: "#ffffff",
        fillColor: colours[light] || "#5b6877",
        fillOpacity: 0.95,
        className: "ug-case ug-case-" + light,
        bubblingMouseEvents: false, // a click on a case is not a click on its grid
      })
        .bindPopup(() => popup(row, data.types))
        .addTo(layer);
    }
    map.getContainer().dataset.cases = String(data.rows.length); // for the browser tests
  }

  function popup(row, types) {
    const [number, , , statusAt, typeAt, lightAt, address] = row;
    const facts = [
      [text.case, number],
      [text.type, typeAt >= 0 ? types[typeAt].join(" ") : "—"],
      [text.status, config.statuses[statusAt]],
      [text.light, lightAt >= 0 ? config.lights[lightAt][1] : text.noClock],
      [text.address, address || "—"],
    ];
    const url = config.pageUrl.replace("NUMBER", encodeURIComponent(number));
    return window.urbangridCard("case", facts, url, text.open);
  }
})();
