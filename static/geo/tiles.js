// The base map under a Leaflet map, when the deployment names a tile server (MAP_TILE_URL):
// its credit is set as text, never as HTML. Pages without a tile server show outlines only.
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
