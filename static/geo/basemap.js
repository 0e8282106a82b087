// What lies under a small Leaflet map (the case page's, the hotline's, the portal's): the base
// map when the deployment names a tile server (MAP_TILE_URL), its credit set as text, never as
// HTML; and the outlines of the district and its streets, so that a map without tiles is not
// blank.
window.urbangridTiles = function (map, tiles) {
  if (!tiles.url) return null;
  const attribution = document.createElement("span");
  attribution.textContent = tiles.attribution;
  return L.tileLayer(tiles.url, {
    attribution: attribution.innerHTML,
    maxNativeZoom: 18,
    maxZoom: 20,
  }).addTo(map);
};

// Resolves to the outlines' layer, or null when they could not be read.
window.urbangridOutlines = function (map, url) {
  return fetch(url, { credentials: "same-origin" })
    .then((response) => (response.ok ? response.json() : null))
    .then((collection) =>
      collection
        ? L.geoJSON(collection, {
            interactive: false,
            filter: (feature) => feature.properties.level !== "community",
            style: (feature) =>
              feature.properties.level === "district"
                ? { color: "#12355b", weight: 3, fill: false }
                : { color: "#0b5cad", weight: 1, dashArray: "4 3", fill: false },
          }).addTo(map)
        : null,
    )
    .catch(() => null);
};
