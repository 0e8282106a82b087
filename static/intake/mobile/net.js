/* The inspector app's common ground: its configuration and texts (from the page's JSON,
 * since the Content-Security-Policy allows no inline script), the server's clock, and the one
 * way it asks the server, with what each kind of answer means for a queued report.
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("mobile-config").textContent);
  const S = config.strings;

  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, (_, name) => String(values[name]));
  }

  function csrf() {
    const found = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
    return found ? decodeURIComponent(found.slice("csrftoken=".length)) : "";
  }

  /* The server's clock as seen from the phone: a phone whose clock is minutes off would
   * otherwise date its reports in the future (refused) or in the past. Learnt from the Date
   * header of each answer, kept for offline use; only a skew over a minute is corrected. */
  let clockOffset = Number(localStorage.getItem("urbangrid-mobile-clock")) || 0;

  function noteClock(response) {
    const server = Date.parse(response.headers.get("Date") || "");
    if (Number.isNaN(server)) return;
    clockOffset = server - Date.now();
    localStorage.setItem("urbangrid-mobile-clock", String(clockOffset));
  }

  function serverTime(phoneMillis) {
    return new Date(phoneMillis + (Math.abs(clockOffset) > 60000 ? clockOffset : 0));
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function localTime(iso) {
    if (!iso) return "";
    const date = new Date(iso);
    return date.toLocaleString(document.documentElement.lang || undefined, {
      month: "numeric",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
    });
  }

  function metres(a, b) {
    const rad = Math.PI / 180;
    const dLat = (b.lat - a.lat) * rad;
    const dLon = (b.lon - a.lon) * rad;
    const h =
      Math.sin(dLat / 2) ** 2 +
      Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
    return 6371008.8 * 2 * Math.asin(Math.sqrt(h));
  }

  function distanceText(m) {
    return m < 1000
      ? fmt(S.metres, { n: Math.round(m) })
      : fmt(S.kilometres, { n: (m / 1000).toFixed(1) });
  }

  /* One request: {ok, status, data} or {network: true}. The session signs it, the CSRF
   * token and the inspector post go in headers (a person may hold several posts). */
  async function call(method, url, { json, form, timeout = 30000 } = {}) {
    const headers = {
      Accept: "application/json",
      "X-CSRFToken": csrf(),
      "X-UrbanGrid-Role": "inspector",
    };
    let body;
    if (json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(json);
    } else if (form) {
      body = form;
    }
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeout);
    window.urbangridMobileBusy = (window.urbangridMobileBusy || 0) + 1; // for the browser tests
    let response;
    let data = null;
    try {
      response = await fetch(url, {
        method,
        headers,
        body,
        credentials: "same-origin",
        signal: abort.signal,
      });
      noteClock(response);
      data = await response.json().catch(() => null);
    } catch (error) {
      return { network: true };
    } finally {
      clearTimeout(timer);
      window.urbangridMobileBusy -= 1;
    }
    return { ok: response.ok, status: response.status, data };
  }

  /* What to do with an answer: "ok", "retry" (no network, too many requests: try again
   * later), "unavailable" (the platform is briefly down, 503: everything waits), "server"
   * (the server failed on this item: try it later, the others meanwhile),
   * "auth" (signed out: keep it and ask to sign in) or "refused" (stop, show the message). */
  function verdict(answer) {
    if (answer.network) return "retry";
    if (answer.ok) return "ok";
    if (answer.status === 429 || answer.status === 408) return "retry";
    if (answer.status === 503) return "unavailable";
    if (answer.status >= 500) return "server";
    const code = errorCode(answer);
    if (answer.status === 401 || (answer.status === 403 && (!code || code === "csrf_failed")))
      return "auth";
    return "refused";
  }

  /* Whether a verdict keeps the item, to be tried again later. */
  function later(result) {
    return ["retry", "unavailable", "server"].includes(result);
  }

  function errorCode(answer) {
    return answer.data && answer.data.error ? answer.data.error.code : "";
  }

  function message(answer) {
    if (answer.data && answer.data.error && answer.data.error.message) {
      return answer.data.error.message;
    }
    if (answer.data && Array.isArray(answer.data.detail)) {
      return answer.data.detail.map((d) => d.msg).join("; ");
    }
    return fmt(S.serverRefused, { status: answer.status });
  }


  window.UgMobile = {
    config,
    S,
    fmt,
    csrf,
    serverTime,
    newId,
    el,
    localTime,
    metres,
    distanceText,
    call,
    verdict,
    later,
    errorCode,
    message,
  };
})();
