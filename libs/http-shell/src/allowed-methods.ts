/**
 * The methods each route path answers, so that a request with another method gets 405 and an `Allow`
 * header (RFC 9110 §15.5.6) instead of a 404. Pure: fed from Fastify's `onRoute` hook.
 */
export class AllowedMethods {
  private readonly routes: { readonly segments: readonly string[]; readonly methods: Set<string> }[] = [];

  /** Records a route: its URL template (`/v1/offers/:offerId/leads`) and method. */
  add(method: string, url: string): void {
    const segments = url.split('/');
    const key = segments.join('/');
    let route = this.routes.find((r) => r.segments.join('/') === key);
    if (!route) {
      route = { segments, methods: new Set() };
      this.routes.push(route);
    }
    route.methods.add(method.toUpperCase());
  }

  /** The methods of every route whose template matches `path` (no query), sorted; empty when none does. */
  allowed(path: string): string[] {
    const parts = path.split('/');
    const methods = new Set<string>();
    for (const route of this.routes) {
      if (matches(route.segments, parts)) for (const m of route.methods) methods.add(m);
    }
    return [...methods].sort();
  }
}

/** A `:param` segment matches one non-empty segment, as the router (and Nest's empty-param rule) does. */
function matches(template: readonly string[], parts: readonly string[]): boolean {
  if (template.length !== parts.length) return false;
  return template.every((t, i) => {
    const p = parts[i] ?? '';
    return t.startsWith(':') ? p !== '' : t === p;
  });
}
