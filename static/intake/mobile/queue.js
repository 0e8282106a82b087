/* The inspector app's outbox: every report and task answer is stored on the phone (IndexedDB,
 * photos as blobs) before anything is sent, so closing the app, losing the signal or a server
 * error never loses one. One database per signed-in user: a shared phone never sends one
 * inspector's reports as another's.
 */
(function () {
  "use strict";

  const STORE = "outbox";

  function open(user) {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(`urbangrid-mobile-${user}`, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(STORE, { keyPath: "id" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  function run(db, mode, work) {
    return new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const result = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error("aborted"));
    });
  }

  class Outbox {
    constructor(db) {
      this.db = db;
    }
    static async open(user) {
      return new Outbox(await open(user));
    }
    put(item) {
      return run(this.db, "readwrite", (store) => store.put(item));
    }
    remove(id) {
      return run(this.db, "readwrite", (store) => store.delete(id));
    }
    async all() {
      const items = await run(this.db, "readonly", (store) => store.getAll());
      return (items || []).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    }
  }

  window.UgOutbox = Outbox;
})();
