import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { onLive, type LiveEvent } from './live.js';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  reload: () => void;
}

/**
 * Loads with `load`, again when `deps` change, and again (throttled to once a second) when a
 * live event passes `relevant` (a `null` event, a coalesced burst, always does).
 */
export function useData<T>(load: () => Promise<T>, deps: unknown[], relevant?: (event: LiveEvent) => boolean): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const generation = useRef(0);
  const reload = useCallback(() => {
    const mine = ++generation.current;
    loadRef.current().then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(null);
      },
      (e: unknown) => mine === generation.current && setError(e instanceof Error ? e.message : String(e)),
    );
  }, []);
  useEffect(reload, deps);
  useEffect(() => {
    if (!relevant) return;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let last = 0;
    const stop = onLive((event) => {
      if (event && !relevant(event)) return;
      if (timer) return;
      const wait = Math.max(0, last + 1000 - Date.now());
      timer = setTimeout(() => {
        timer = null;
        last = Date.now();
        reload();
      }, wait);
    });
    return () => {
      stop();
      if (timer) clearTimeout(timer);
    };
  }, [relevant === undefined, ...deps]);
  return { data, error, reload };
}

/** The hash route: `#/jobs/name?x=1` → { path: ['jobs', 'name'], params }. */
export function useRoute(): { path: string[]; params: URLSearchParams } {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = () => setHash(location.hash);
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?');
  return { path: path.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(search) };
}

export function navigate(to: string): void {
  location.hash = to;
}

/**
 * A form's fields as text, a setter per field for `onInput`, and a submit that shows what went
 * wrong (a JSON field that does not parse, or the server's 4xx message naming the field).
 */
export function useForm<F extends Record<string, string>>(initial: F) {
  const [form, setForm] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const set = (field: keyof F) => (e: Event) => setForm({ ...form, [field]: (e.currentTarget as HTMLInputElement).value });
  const submit = (send: () => Promise<void>) => async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await send();
    } catch (err) {
      setError(err instanceof SyntaxError ? `not valid JSON: ${err.message}` : err instanceof Error ? err.message : String(err));
    }
  };
  return { form, setForm, set, submit, error, setError };
}
