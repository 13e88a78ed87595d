export default async function globalTeardown(): Promise<void> {
  await globalThis.__leadflowInfra?.stop();
  globalThis.__leadflowInfra = undefined;
}
