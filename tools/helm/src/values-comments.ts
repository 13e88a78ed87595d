import { isMap, parseDocument, type YAMLMap } from 'yaml';

/**
 * The settings of a values file that no comment explains: a leaf (scalar, list or empty map) is explained by a
 * comment right above it or above any map that contains it.
 */
export function undocumentedValues(text: string): string[] {
  const doc = parseDocument(text);
  const missing: string[] = [];
  const walk = (map: YAMLMap, path: string[], covered: boolean): void => {
    map.items.forEach((pair, i) => {
      const key = String((pair.key as { value?: unknown }).value);
      const commented = Boolean(
        (pair.key as { commentBefore?: string }).commentBefore ||
        (i === 0 && map.commentBefore) ||
        (i === 0 && path.length === 0 && doc.commentBefore),
      );
      if (isMap(pair.value) && pair.value.items.length > 0) walk(pair.value, [...path, key], covered || commented);
      else if (!covered && !commented) missing.push([...path, key].join('.'));
    });
  };
  if (isMap(doc.contents)) walk(doc.contents, [], false);
  return missing;
}
