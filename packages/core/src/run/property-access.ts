/**
 * Wraps a keyed store so that `obj.key` and `obj["key"]` read and write entries, while
 * the class's own methods and fields keep working. Used by Config and Summary.
 */
export function withPropertyAccess<T extends object>(
  target: T,
  read: (key: string) => unknown,
  write: (key: string, value: unknown) => void,
  remove: (key: string) => boolean,
  has: (key: string) => boolean,
  keys: () => string[],
): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      if (typeof property === "symbol" || property in object) return Reflect.get(object, property, receiver);
      return read(property);
    },
    set(object, property, value, receiver) {
      if (typeof property === "symbol" || property in object) return Reflect.set(object, property, value, receiver);
      write(property, value);
      return true;
    },
    deleteProperty(object, property) {
      if (typeof property === "symbol" || property in object) return Reflect.deleteProperty(object, property);
      remove(property);
      return true;
    },
    has(object, property) {
      return typeof property === "string" && has(property) ? true : Reflect.has(object, property);
    },
    ownKeys() {
      return keys();
    },
    getOwnPropertyDescriptor(_object, property) {
      if (typeof property !== "string" || !has(property)) return undefined;
      return { value: read(property), writable: true, enumerable: true, configurable: true };
    },
  });
}
