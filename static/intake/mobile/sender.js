/* Sending the outbox (queue.js): oldest first, one item at a time, from one tab at a time.
 *
 * A report is sent with its request_id until the server answers 201 (new) or 200 (it had it
 * already); a refusal (4xx) stops it and keeps its message. Photos go one by one after the
 * case exists, each with its own request_id, so an upload sent again after a lost answer is
 * not stored twice. A task answer sends its photos, then the verb; a verb refused after a
 * lost answer is checked against the open tasks.
 *
 * `hooks` tell the page: flash(text), changed() (redraw the outbox), sent(item), refused(item).
 */
(function () {
  "use strict";

  const { config, S, fmt, call, verdict, later, errorCode, message } = window.UgMobile;
  const holdsAll = (result) => ["retry", "unavailable", "auth"].includes(result); // the rest waits
  const API = config.urls.api;

  function createSender(outbox, hooks) {
    let sending = false;
    const flash = hooks.flash;

    /* Send what waits, oldest first, one at a time, from one tab at a time (Web Locks). */
    function sendAll(evenOffline) {
      if (sending || !outbox) return;
      if (!navigator.onLine && !evenOffline) return;
      if (navigator.locks) {
        navigator.locks.request(`urbangrid-outbox-${config.user}`, { ifAvailable: true }, (lock) =>
          lock ? sendQueued() : null,
        );
      } else {
        sendQueued();
      }
    }

    /* Is this browser still signed in as the inspector whose outbox this is? A page kept by
     * the service worker may outlive a sign-out; it must not send as whoever signed in next. */
    async function sameInspector() {
      const answer = await call("GET", config.urls.duty);
      if (answer.ok) return answer.data.user === config.user ? "ok" : "other";
      return later(verdict(answer)) ? "retry" : "auth";
    }

    async function sendQueued() {
      sending = true;
      try {
        const items = await outbox.all();
        if (!items.some((item) => item.state !== "failed")) return;
        const who = await sameInspector();
        if (who !== "ok") {
          if (who === "other") flash(S.otherUser);
          if (who === "auth") flash(S.signInAgain);
          return;
        }
        for (const item of items) {
          if (item.state === "failed") continue;
          const result = await send(item);
          // No network, no platform or no session: the rest waits too. A server failing on
          // one item (a bug it meets with this report) does not hold back the items after it.
          if (holdsAll(result)) break;
        }
      } finally {
        sending = false;
        await hooks.changed();
      }
    }

    async function keep(item, state, error) {
      item.state = state;
      item.error = error || "";
      await outbox.put(item);
    }

    async function send(item) {
      item.attempts += 1;
      const steps = item.kind === "report" ? [createCase, sendPhotos] : [sendPhotos, answerTask];
      for (const step of steps) {
        const result = await step(item);
        if (result !== "ok") {
          if (result === "retry") await keep(item, "pending", S.noConnection);
          if (result === "server" || result === "unavailable") {
            await keep(item, "pending", S.serverTrouble);
          }
          if (result === "auth") await keep(item, "auth");
          return result;
        }
      }
      await outbox.remove(item.id);
      if (item.kind === "report") {
        let text = fmt(S.sent, { number: item.number });
        if (item.photoErrors.length) text += " " + fmt(S.photoRefused, { problem: item.photoErrors[0] });
        flash(text);
      } else {
        flash(S.taskDone);
      }
      hooks.sent(item);
      return "ok";
    }

    async function createCase(item) {
      if (item.number) return "ok";
      const answer = await call("POST", `${API}cases`, { json: item.report });
      const result = verdict(answer);
      if (result === "ok") {
        item.number = answer.data.number; // 201 new, or 200: the server had it already
        await outbox.put(item);
      } else if (result === "refused" && errorCode(answer) === "observed_in_future") {
        // The phone's clock ran ahead when it was queued: the server's time of receipt will do.
        // No case was made with this request_id, so the changed content is no conflict.
        delete item.report.observed_at;
        await outbox.put(item);
        return createCase(item);
      } else if (result === "refused") {
        await keep(item, "failed", message(answer));
      }
      return result;
    }

    async function sendPhotos(item) {
      const number = item.kind === "report" ? item.number : item.task.number;
      while (item.photosSent < item.photos.length) {
        const form = new FormData();
        form.append("stage", item.stage);
        // One id per photo of this item: after a lost answer, the retry gets the first back.
        form.append("request_id", `${item.id}:${item.photosSent}`);
        form.append("image", item.photos[item.photosSent], `photo-${item.photosSent + 1}.jpg`);
        const answer = await call("POST", `${API}cases/${number}/photos`, { form, timeout: 120000 });
        const result = verdict(answer);
        if (later(result) || result === "auth") return result;
        if (result === "refused") item.photoErrors.push(message(answer)); // this photo only
        item.photosSent += 1;
        await outbox.put(item);
      }
      return "ok";
    }

    async function answerTask(item) {
      const task = item.task;
      const answer = await call("POST", `${API}cases/${task.number}/${task.verb}`, { json: task.body });
      const result = verdict(answer);
      if (later(result)) {
        item.uncertain = true;
        await outbox.put(item);
        return result;
      }
      if (result === "refused" && item.uncertain && (await taskIsDone(task.id))) {
        return "ok"; // the earlier attempt arrived; only its answer was lost
      }
      if (result === "refused") {
        await keep(item, "failed", message(answer));
        hooks.refused(item);
      }
      return result;
    }

    async function taskIsDone(id) {
      const answer = await call("GET", `${API}tasks`);
      return answer.ok && !answer.data.some((task) => task.id === id);
    }


    return { sendAll };
  }

  window.UgMobile.createSender = createSender;
})();
