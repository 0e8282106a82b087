/* The case page's mini-map: the case's unit grid outlined, the grids around it, the case's
 * point. Everything comes from the #case-map-config JSON element (the Content-Security-Policy
 * allows no inline script), so the grids show without a tile server or another request.
 */
(function () {
  "use strict";

  const holder = document.getElementById("case-map-config");
  const element = document.getElementById("case-map");
  if (!holder || !element || !window.L) return;
  const config = JSON.parse(holder.textContent);
  const [lon, lat] = config.point;

  const map = L.map(element, { minZoom: 5, maxZoom: 20, scrollWheelZoom: false });
  window.urbangridCaseMap = map; // for the browser tests
  window.urbangridTiles(map, config.tiles);
  const grids = L.geoJSON(config.grids, {
    style: (feature) =>
      feature.properties.code === config.grid
        ? { color: "#c62828", weight: 3, fillOpacity: 0.08, className: "ug-case-grid" }
        : { color: "#2e7d5b", weight: 1, fillOpacity: 0.03, className: "ug-grid" },
    onEachFeature: (feature, layer) => {
      const label = document.createElement("span");
      label.textContent = feature.properties.code;
      layer.bindTooltip(label, { sticky: true, direction: "top", className: "ug-grid-tip" });
    },
  });
  // The view first: Leaflet cannot draw a shape on a map that has none yet.
  const bounds = grids.getBounds();
  if (bounds.isValid()) {
    map.fitBounds(bounds, { maxZoom: 19 });
  } else {
    map.setView([lat, lon], 17);
  }
  grids.addTo(map);
  L.circleMarker([lat, lon], {
    radius: 7,
    weight: 2,
    color: "#ffffff",
    fillColor: "#c62828",
    fillOpacity: 1,
    className: "ug-case-point",
  }).addTo(map);
})();
