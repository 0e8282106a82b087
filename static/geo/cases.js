/* The cases layer of the map page: the cases the viewer may see in view, filtered by status,
 * type, street and light, each a circle coloured by its light whose popup links to the case.
 *
 * Loaded after static/geo/map.js (window.urbangridMap, window.urbangridOverlay,
 * window.urbangridBoxLoader and window.urbangridCard). Settings and texts come from `cases`
 * in the #map-config JSON element.
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
  const refresh = window.urbangridBoxLoader(layer, config, text, filters, draw, clear);

  window.urbangridOverlay("cases", layer, text.layer);
  map.whenReady(() => {
    map.on("moveend", refresh);
    map.on("overlayadd", (event) => event.layer === layer && refresh());
    map.on("overlayremove", (event) => event.layer === layer && clear(""));
    refresh();
  });
  for (const select of Object.values(filters)) select.addEventListener("change", refresh);

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
