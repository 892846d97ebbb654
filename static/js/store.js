/* What the patient's app keeps on the phone in IndexedDB, for the pages and the service
 * worker alike: the logs waiting to be sent ("queue", by their token) and a few facts about
 * this phone ("meta": whose pages are kept). */

const NAME = "rehabit";
let opening = null;

function open() {
  if (opening) return opening;
  opening = new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore("queue", { keyPath: "token" });
      request.result.createObjectStore("meta");
    };
    request.onsuccess = () => {
      const db = request.result;
      // Signing out deletes the database: let it, and open afresh next time.
      db.onversionchange = () => {
        db.close();
        opening = null;
      };
      resolve(db);
    };
    request.onerror = () => {
      opening = null;
      reject(request.error);
    };
  });
  return opening;
}

async function run(storeName, mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(storeName, mode);
    const request = work(transaction.objectStore(storeName));
    transaction.oncomplete = () => resolve(request ? request.result : undefined);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

export const queueAll = () => run("queue", "readonly", (queue) => queue.getAll());
export const queuePut = (item) => run("queue", "readwrite", (queue) => queue.put(item));
export const queueDelete = (token) => run("queue", "readwrite", (queue) => queue.delete(token));
export const metaGet = (key) => run("meta", "readonly", (meta) => meta.get(key));
export const metaSet = (key, value) => run("meta", "readwrite", (meta) => meta.put(value, key));

// Everything the app kept on this phone goes: at sign-out.
export async function forgetAll() {
  if (opening) {
    (await opening).close();
    opening = null;
  }
  await new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(NAME);
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });
}
