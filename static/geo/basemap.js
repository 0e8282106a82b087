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

// Resolves to the outlines' layer, or null when they could not be read. `styles` may give
// other colours ({district: …, street: …}, e.g. on the dashboard's dark map).
window.urbangridOutlines = function (map, url, styles) {
  const style = Object.assign(
    {
      district: { color: "#12355b", weight: 3, fill: false },
      street: { color: "#0b5cad", weight: 1, dashArray: "4 3", fill: false },
    },
    styles,
  );
  return fetch(url, { credentials: "same-origin" })
    .then((response) => (response.ok ? response.json() : null))
    .then((collection) =>
      collection
        ? L.geoJSON(collection, {
            interactive: false,
            filter: (feature) => feature.properties.level !== "community",
            style: (feature) =>
              feature.properties.level === "district" ? style.district : style.street,
          }).addTo(map)
        : null,
    )
    .catch(() => null);
};
