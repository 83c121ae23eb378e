// A key-value store in IndexedDB: the signed-in person's viewer snapshot and
// their queue of unsent commands survive a reload, a closed tab and a night
// offline. Sign-out deletes the whole database (`wipe`).

const DB_NAME = 'calm-app';
const STORE = 'kv';

let db: Promise<IDBDatabase> | undefined;

function open(): Promise<IDBDatabase> {
  db ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => {
      // Another tab signs out and deletes the database: let go of it.
      request.result.onversionchange = () => {
        request.result.close();
        db = undefined;
      };
      resolve(request.result);
    };
    request.onerror = () => reject(request.error);
  });
  return db;
}

function run<T>(mode: IDBTransactionMode, use: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  return open().then(
    (database) =>
      new Promise<T>((resolve, reject) => {
        const tx = database.transaction(STORE, mode);
        const request = use(tx.objectStore(STORE));
        tx.oncomplete = () => resolve(request.result as T);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      }),
  );
}

export const kv = {
  get: <T>(key: string) => run<T | undefined>('readonly', (s) => s.get(key)),
  set: (key: string, value: unknown) => run<void>('readwrite', (s) => s.put(value, key)),
  clear: () => run<void>('readwrite', (s) => s.clear()),
};

/** Deletes the database (sign-out): nothing of the person stays in IndexedDB. */
export async function wipe(): Promise<void> {
  const open = db;
  db = undefined;
  if (open !== undefined) (await open.catch(() => undefined))?.close();
  await new Promise<void>((resolve, reject) => {
    const request = indexedDB.deleteDatabase(DB_NAME);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
    // Another tab still has it open: it is deleted when that tab closes it.
    request.onblocked = () => resolve();
  });
}

/** Whether the database exists, without creating it (a signed-out browser keeps none). */
export async function exists(): Promise<boolean> {
  if (db !== undefined) return true;
  // Without databases() (older browsers) opening is the only way to know.
  if (typeof indexedDB.databases !== 'function') return true;
  return (await indexedDB.databases()).some((d) => d.name === DB_NAME);
}
